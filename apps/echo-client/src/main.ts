import { runMain } from '@iocp/cli-support';
import { parseClientArgs } from './cli.js';
import { runClient } from './run-client.js';

async function main(): Promise<number> {
  const parsed = parseClientArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  return runClient(parsed.config, {
    stdin: process.stdin,
    stdout: process.stdout,
    // stdout redirected (`> file`, `| tee`) carries only echoes: prompt on stderr if that is the terminal.
    prompt: process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined,
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

// Exit at once with the run's code: an open stdin must not keep the process alive.
void runMain('echo-client', main, { exitOnReturn: true });
