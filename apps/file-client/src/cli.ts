import * as path from 'node:path';
import { type HostPort, UsageError, optionParser, parseByteSize, parseCommandLine, parseInteger, parseServerHostPort, readCaFile, reportingCommand } from '@iocp/cli-support';
import { DEFAULT_TIMEOUT_MS } from '@iocp/file-transfer';
import { Command, Option } from 'commander';

/** One command of the client. */
export type ClientCommand =
  | { name: 'put'; local: string; remote: string }
  /** `local`: a file path, or an existing folder to write `<basename>` into. */
  | { name: 'get'; remote: string; local: string }
  | { name: 'list'; folder: string }
  | { name: 'stat'; remote: string }
  | { name: 'delete'; remote: string };

/** Connection settings plus the command, validated. */
export interface ClientConfig {
  readonly server: HostPort;
  readonly token: string | undefined;
  /** undefined: plain TCP; otherwise TLS options (`rejectUnauthorized: false` with --insecure). */
  readonly tls: { ca?: Buffer; rejectUnauthorized?: boolean; servername?: string } | undefined;
  readonly insecure: boolean;
  readonly resume: boolean;
  readonly maxFrame: number;
  /** `--timeout`: how long the server may stay silent, ms (0 = forever). */
  readonly timeoutMs: number;
  readonly command: ClientCommand;
}

/** Run with a config, or exit now (help/version printed). */
export type ParseResult = { kind: 'run'; config: ClientConfig } | { kind: 'exit'; exitCode: number };

/** The last `/`-separated segment of a remote name (`a/b/c.txt` → `c.txt`). */
export function remoteBasename(remote: string): string {
  const parts = remote.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? remote;
}

/**
 * Parse `file-client` flags and command. Bad input throws {@link UsageError} (one line,
 * exit 2). `write` receives help and version text.
 */
export function parseClientArgs(argv: readonly string[], write: (text: string) => void): ParseResult {
  let command: ClientCommand | undefined;
  const program = reportingCommand(new Command('file-client'), write)
    .description('File client over @iocp/file-transfer: put, get, list, stat, delete. Resumes interrupted transfers by default.')
    .version('0.1.0', '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addOption(new Option('--server <host:port>', 'server address; IPv6 as [::1]:7001 (required)').argParser(optionParser(parseServerHostPort)))
    .addOption(new Option('--token <token>', 'shared token (or env FILE_CLIENT_TOKEN)'))
    .addOption(new Option('--tls', 'use TLS, verifying the server certificate (system CAs, NODE_EXTRA_CA_CERTS, or --ca)'))
    .addOption(new Option('--ca <file>', 'PEM CA certificate to verify the server with (implies --tls)'))
    .addOption(new Option('--insecure', 'TLS without certificate verification (implies --tls; says so on stderr)'))
    .addOption(new Option('--no-resume', 'start transfers over instead of continuing partial ones'))
    .addOption(new Option('--max-frame <bytes>', 'largest frame accepted from the server; suffixes k, m, g (default: 16m)').argParser(optionParser((t) => parseByteSize(t, 4096, 1024 ** 3))))
    .addOption(
      new Option('--timeout <ms>', 'give up (IOCP_ERR_FT_TIMEOUT) when the server stays silent this long: no WELCOME, no reply, no transfer progress; 0 = wait forever')
        .argParser(optionParser((t) => parseInteger(t, 0, 2 ** 31 - 1)))
        .default(DEFAULT_TIMEOUT_MS),
    );
  const sub = (c: Command) => reportingCommand(c, write);
  sub(program.command('put').description('upload LOCAL as REMOTE (default: its file name); folders are created').argument('<local>').argument('[remote]'))
    .action((local: string, remote?: string) => {
      command = { name: 'put', local, remote: remote ?? path.basename(local) };
    });
  sub(program.command('get').description('download REMOTE to LOCAL (default: ./<basename>)').argument('<remote>').argument('[local]'))
    .action((remote: string, local?: string) => {
      command = { name: 'get', remote, local: local ?? path.join('.', remoteBasename(remote)) };
    });
  sub(program.command('list').description('list files, one per line: size, a tab, the name').argument('[folder]'))
    .action((folder?: string) => {
      command = { name: 'list', folder: folder ?? '' };
    });
  sub(program.command('stat').description('print the exact size of REMOTE in bytes').argument('<remote>'))
    .action((remote: string) => {
      command = { name: 'stat', remote };
    });
  sub(program.command('delete').description('delete REMOTE').argument('<remote>'))
    .action((remote: string) => {
      command = { name: 'delete', remote };
    });
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  const o = program.opts<{ server?: HostPort; token?: string; tls?: boolean; ca?: string; insecure?: boolean; resume: boolean; maxFrame?: number; timeout: number }>();
  if (!command) throw new UsageError('a command is required: put, get, list, stat or delete');
  if (!o.server) throw new UsageError('--server <host:port> is required');
  if (o.ca !== undefined && o.insecure) throw new UsageError('--ca and --insecure contradict each other');
  let ca: Buffer | undefined;
  if (o.ca) {
    ca = readCaFile(o.ca);
  }
  const useTls = Boolean(o.tls || o.ca || o.insecure);
  const token = o.token ?? process.env.FILE_CLIENT_TOKEN;
  return {
    kind: 'run',
    config: {
      server: o.server,
      token: token === '' ? undefined : token,
      tls: useTls ? { ...(ca ? { ca } : {}), ...(o.insecure ? { rejectUnauthorized: false } : {}) } : undefined,
      insecure: Boolean(o.insecure),
      resume: o.resume,
      maxFrame: o.maxFrame ?? 16 * 1024 * 1024,
      timeoutMs: o.timeout,
      command,
    },
  };
}
