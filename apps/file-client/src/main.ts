import { CliError, EXIT_FAILURE, runMain, tlsVerifyMessage } from '@iocp/cli-support';
import { FileClient } from '@iocp/file-transfer';
import { formatEndpoint } from '@iocp/transport';
import { parseClientArgs } from './cli.js';
import { getTarget } from './local-target.js';
import { createProgress, formatResult } from './progress.js';

const APP = 'file-client';

async function main(): Promise<number | undefined> {
  const parsed = parseClientArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  const c = parsed.config;
  // `get NAME some/folder` writes some/folder/<basename>, like cp; never replaces a device or FIFO.
  if (c.command.name === 'get') c.command.local = getTarget(c.command.local, c.command.remote);
  if (c.insecure) process.stderr.write(`${APP}: warning: --insecure: the server certificate is NOT verified\n`);
  const client = await FileClient.connect({
    host: c.server.host,
    port: c.server.port,
    maxFrameLength: c.maxFrame,
    timeoutMs: c.timeoutMs,
    ...(c.token !== undefined ? { token: c.token } : {}),
    ...(c.tls ? { tls: c.tls } : {}),
  }).catch((error: unknown) => {
    // A certificate the client refused: say so, and how to fix it (one wording for every client).
    const tlsMessage = c.tls ? tlsVerifyMessage(error, { where: formatEndpoint(c.server.host, c.server.port), name: c.tls.servername ?? c.server.host }) : undefined;
    throw tlsMessage === undefined ? error : new CliError('IOCP_ERR_TLS_VERIFY', tlsMessage, EXIT_FAILURE, { cause: error });
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const cmd = c.command;
    switch (cmd.name) {
      case 'put':
      case 'get': {
        const progress = createProgress(cmd.name === 'put' ? cmd.remote : cmd.local, process.stderr.isTTY === true);
        try {
          const opts = { resume: c.resume, onProgress: (d: number, t: number) => progress.update(d, t) };
          const r = cmd.name === 'put' ? await client.put(cmd.local, cmd.remote, opts) : await client.get(cmd.remote, cmd.local, opts);
          progress.stop();
          out(formatResult(r));
        } finally {
          progress.stop();
        }
        break;
      }
      case 'list':
        for (const e of await client.list(cmd.folder)) out(`${e.size}\t${e.name}`);
        break;
      case 'stat':
        out(String((await client.stat(cmd.remote)).size));
        break;
      case 'delete':
        await client.delete(cmd.remote);
        out(`deleted ${cmd.remote}`);
        break;
    }
  } finally {
    await client.close();
  }
  return undefined;
}

void runMain(APP, main);
