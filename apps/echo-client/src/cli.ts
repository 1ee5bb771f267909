import { isIP } from 'node:net';
import { type HostPort, UsageError, optionParser, parseByteSize, parseCommandLine, parseInteger, parseServerHostPort, readCaFile, reportingCommand } from '@iocp/cli-support';
import { Command, Option } from 'commander';
import type { EchoMode } from './echo-session.js';

/** TLS settings when `--tls` is on. */
export interface ClientTls {
  /** PEM CA bundle from `--ca`; `undefined` = system CAs plus `NODE_EXTRA_CA_CERTS`. */
  readonly ca: Buffer | undefined;
  /** `--insecure`: do not verify the server certificate. */
  readonly insecure: boolean;
  /** SNI and the name checked against the certificate; `undefined` for an IP literal host. */
  readonly servername: string | undefined;
}

/** Everything the client needs, validated. */
export interface ClientConfig {
  readonly server: HostPort;
  readonly mode: EchoMode;
  /** Longest frame payload sent or accepted (framed mode). */
  readonly maxFrame: number;
  /** Bound on connecting and on waiting for each echo. */
  readonly timeoutMs: number;
  readonly tls: ClientTls | undefined;
  /** Messages from the command line; empty = read stdin. */
  readonly messages: readonly string[];
}

export type ParseResult = { kind: 'run'; config: ClientConfig } | { kind: 'exit'; exitCode: number };

/** Default max frame payload: 16 MiB, as the server. */
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
/** Default `--timeout`: 5 s. */
export const DEFAULT_TIMEOUT_MS = 5000;

function buildProgram(write: (text: string) => void): Command {
  return reportingCommand(new Command('echo-client'), write)
    .description('Sends each message (or each stdin line) to an echo server, prints each echo, checks it matches.')
    .argument('[message...]', 'messages to send; none = read lines from stdin (interactive on a terminal)')
    .version('0.1.0', '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addOption(new Option('--server <host:port>', 'echo server address; IPv6 as [::1]:7001').argParser(optionParser(parseServerHostPort)).makeOptionMandatory())
    .addOption(new Option('--mode <mode>', 'framed: 4-byte big-endian length prefix; raw: compare the byte stream').choices(['framed', 'raw']).default('framed'))
    .addOption(new Option('--max-frame <bytes>', 'largest frame payload (framed mode); suffixes k, m, g (default: 16m)').argParser(optionParser((t) => parseByteSize(t, 1, 1024 ** 3))))
    .addOption(new Option('--timeout <ms>', 'connect timeout and per-echo timeout').argParser(optionParser((t) => parseInteger(t, 1, 2 ** 31 - 1))).default(DEFAULT_TIMEOUT_MS))
    .addOption(new Option('--tls', 'connect with TLS and verify the server certificate'))
    .addOption(new Option('--ca <file>', 'PEM CA bundle to verify the server with (instead of the system CAs); needs --tls'))
    .addOption(new Option('--servername <name>', 'TLS server name (SNI and certificate check); default: the --server host name'))
    .addOption(new Option('--insecure', 'TLS without verifying the server certificate (says so on stderr); needs --tls'));
}

/** Parse and validate `argv` (without `node` and the script). Throws {@link UsageError}. */
export function parseClientArgs(argv: readonly string[], write: (text: string) => void): ParseResult {
  const program = buildProgram(write);
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  const o = program.opts();
  const server = o.server as HostPort;
  const tlsOn = o.tls === true;
  for (const flag of ['ca', 'insecure', 'servername'] as const) {
    if (o[flag] !== undefined && !tlsOn) throw new UsageError(`--${flag} needs --tls`);
  }
  if (o.ca !== undefined && o.insecure) throw new UsageError('--ca and --insecure contradict each other');
  const mode = o.mode as EchoMode;
  if (o.maxFrame !== undefined && mode === 'raw') throw new UsageError('--max-frame applies to --mode framed only');
  let ca: Buffer | undefined;
  if (o.ca !== undefined) {
    ca = readCaFile(o.ca as string);
  }
  const maxFrame = (o.maxFrame as number | undefined) ?? DEFAULT_MAX_FRAME;
  const messages = program.args;
  if (mode === 'framed') {
    messages.forEach((m, i) => {
      const size = Buffer.byteLength(m, 'utf8');
      if (size > maxFrame) throw new UsageError(`message ${i + 1} is ${size} bytes, more than --max-frame ${maxFrame}`);
    });
  }
  return {
    kind: 'run',
    config: {
      server,
      mode,
      maxFrame,
      timeoutMs: o.timeout as number,
      tls: tlsOn
        ? {
            ca,
            insecure: o.insecure === true,
            servername: (o.servername as string | undefined) ?? (isIP(server.host) === 0 ? server.host : undefined),
          }
        : undefined,
      messages,
    },
  };
}
