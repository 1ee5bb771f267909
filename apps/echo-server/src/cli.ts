import { availableParallelism } from 'node:os';
import {
  type HostPort,
  UsageError,
  addProxyProtocolFlags,
  maxBufferedOption,
  optionParser,
  parseByteSize,
  parseCommandLine,
  parseHostPort,
  parseInteger,
  proxyProtocolFromFlags,
  readTlsKeyPair,
  reportingCommand,
} from '@iocp/cli-support';
import type { ProxyProtocolOptions } from '@iocp/transport';
import { Command, Option } from 'commander';

/** How the server treats the byte stream. */
export type EchoMode = 'framed' | 'raw';

/** Everything the server needs, validated. Produced by {@link parseServerArgs}. */
export interface ServerConfig {
  /** Addresses to listen on, in command-line order (at least one). */
  readonly listen: readonly HostPort[];
  /** `framed`: 4-byte big-endian length prefix; `raw`: bytes echoed as they come. */
  readonly mode: EchoMode;
  /** Longest accepted frame payload in bytes (framed mode). */
  readonly maxFrame: number;
  /** Per process; `undefined` = unlimited. */
  readonly maxConnections: number | undefined;
  /** New connections per second per process (token bucket); `undefined` = unlimited. */
  readonly maxConnRate: number | undefined;
  /** Concurrent connections per remote IP per process; `undefined` = unlimited. */
  readonly maxConnPerIp: number | undefined;
  /** Memory budget per process (`limits.maxBufferedBytes`); `undefined` = the transport's default; `Infinity` = off. */
  readonly maxBuffered: number | undefined;
  /** Close a peer that sends nothing for this long after connecting; 0 = off. */
  readonly firstDataTimeoutMs: number;
  /** Close a connection without read or write progress for this long; 0 = off. */
  readonly idleTimeoutMs: number;
  /** Close a connection whose queued replies make no write progress for this long (the peer stopped reading); 0 = off. */
  readonly writeTimeoutMs: number;
  /** Send a keepalive (framed mode: an empty frame) after this much read silence; 0 = off. */
  readonly heartbeatMs: number;
  /** Close after this many keepalives in a row went unanswered. */
  readonly heartbeatMisses: number;
  /** How long shutdown lets queued replies drain before ending sockets. */
  readonly drainMs: number;
  /** PEM certificate and key (contents), when TLS is on. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Number of processes; 1 = no cluster. */
  readonly workers: number;
  /** Where to serve Prometheus metrics, if anywhere. */
  readonly metrics: HostPort | undefined;
  /** pino level for stderr logs. */
  readonly logLevel: string;
  /** Worker threads per process (@iocp/jobpool) that run each frame as a job; 0 = echo inline. */
  readonly jobs: number;
  /** Simulated CPU cost per frame in microseconds (on the pool: a random 0.5–1.5×); 0 = none. */
  readonly jobCostUs: number;
  /** `--proxy-protocol` with its `--trusted-proxy` blocks: every listener reads a PROXY header first. */
  readonly proxyProtocol: ProxyProtocolOptions | undefined;
}

/** Result of parsing: run with a config, or exit now (help/version printed) with a code. */
export type ParseResult = { kind: 'run'; config: ServerConfig } | { kind: 'exit'; exitCode: number };

/** Default listen address. */
export const DEFAULT_LISTEN = '127.0.0.1:7000';
/** Default max frame payload: 16 MiB. */
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
/** Largest accepted `--max-frame`: 1 GiB. */
export const MAX_MAX_FRAME = 1024 * 1024 * 1024;
/** Default shutdown drain: 5 s. */
export const DEFAULT_DRAIN_MS = 5000;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MAX_MS = 2 ** 31 - 1;

function collectAddress(text: string, previous: HostPort[]): HostPort[] {
  return [...previous, optionParser(parseHostPort)(text)];
}

function buildProgram(write: (text: string) => void): Command {
  const program = reportingCommand(new Command('echo-server'), write)
    .description(
      'Echo server over @iocp/transport. Prints "listening HOST:PORT" per listener on stdout; logs JSON (pino) on stderr.',
    )
    .version('0.1.0', '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addOption(
      new Option('--listen <host:port>', 'address to listen on; repeatable; IPv6 as [::1]:7001 or ::1:7001; port 0 = any free port')
        .argParser(collectAddress)
        .default([], DEFAULT_LISTEN),
    )
    .addOption(new Option('--mode <mode>', 'framed: 4-byte big-endian length prefix; raw: echo bytes as they come').choices(['framed', 'raw']).default('framed'))
    .addOption(new Option('--max-frame <bytes>', 'largest frame payload (framed mode); suffixes k, m, g (default: 16m)').argParser(optionParser((t) => parseByteSize(t, 1, MAX_MAX_FRAME))))
    .addOption(new Option('--max-connections <n>', 'concurrent connections per process (default: unlimited)').argParser(optionParser((t) => parseInteger(t, 1, 10_000_000))))
    .addOption(new Option('--max-conn-rate <n>', 'new connections per second per process (default: unlimited)').argParser(optionParser((t) => parseInteger(t, 1, 10_000_000))))
    .addOption(new Option('--max-conn-per-ip <n>', 'concurrent connections per remote IP per process (default: unlimited)').argParser(optionParser((t) => parseInteger(t, 1, 10_000_000))))
    .addOption(maxBufferedOption())
    .addOption(new Option('--first-data-timeout <ms>', 'close a peer that sends nothing for this long; 0 = off').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(0))
    .addOption(new Option('--idle-timeout <ms>', 'close a connection without read or write progress for this long; 0 = off').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(0))
    .addOption(new Option('--write-timeout <ms>', 'close a connection whose queued replies make no write progress for this long (the peer stopped reading); 0 = off').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(0))
    .addOption(new Option('--heartbeat <ms>', 'after this much read silence send a keepalive (framed: an empty frame; raw: none), close after --heartbeat-misses unanswered; 0 = off').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(0))
    .addOption(new Option('--heartbeat-misses <n>', 'unanswered keepalives in a row before closing (heartbeat-timeout)').argParser(optionParser((t) => parseInteger(t, 1, 1000))).default(2))
    .addOption(new Option('--drain-timeout <ms>', 'on SIGINT/SIGTERM, let queued replies drain this long').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(DEFAULT_DRAIN_MS))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain) file; turns TLS on, needs --tls-key'))
    .addOption(new Option('--tls-key <file>', 'PEM private key file; needs --tls-cert'))
    .addOption(new Option('--workers <n>', 'processes sharing the listeners (node:cluster); "auto" = one per core').argParser(optionParser(parseWorkers)).default(1))
    .addOption(new Option('--metrics <host:port>', 'serve Prometheus text at http://HOST:PORT/metrics').argParser(optionParser(parseHostPort)))
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--jobs <n>', 'worker threads per process (@iocp/jobpool): each frame is a job, replies keep request order per connection; 0 = echo inline').argParser(optionParser((t) => parseInteger(t, 0, 1024))).default(0))
    .addOption(new Option('--job-cost-us <us>', 'simulated CPU cost per frame in microseconds: burnt inline on the I/O thread, or with --jobs on a pool thread (random 0.5-1.5x, so jobs finish out of order)').argParser(optionParser((t) => parseInteger(t, 0, 10_000_000))).default(0));
  return addProxyProtocolFlags(program);
}

function parseWorkers(text: string): number {
  if (text === 'auto') return availableParallelism();
  return parseInteger(text, 1, 256);
}

/**
 * Parse and validate the command line (`argv` without `node` and the script). Help and version
 * go to `write` (stdout). Throws {@link UsageError} on any bad or unknown flag.
 */
export function parseServerArgs(argv: readonly string[], write: (text: string) => void): ParseResult {
  const program = buildProgram(write);
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  const o = program.opts();
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  const listen = (o.listen as HostPort[]).length > 0 ? (o.listen as HostPort[]) : [parseHostPort(DEFAULT_LISTEN)];
  const mode = o.mode as EchoMode;
  if (o.maxFrame !== undefined && mode === 'raw') {
    throw new UsageError('--max-frame applies to --mode framed only');
  }
  return {
    kind: 'run',
    config: {
      listen,
      mode,
      maxFrame: (o.maxFrame as number | undefined) ?? DEFAULT_MAX_FRAME,
      maxConnections: o.maxConnections as number | undefined,
      maxConnRate: o.maxConnRate as number | undefined,
      maxConnPerIp: o.maxConnPerIp as number | undefined,
      maxBuffered: o.maxBuffered as number | undefined,
      firstDataTimeoutMs: o.firstDataTimeout as number,
      idleTimeoutMs: o.idleTimeout as number,
      writeTimeoutMs: o.writeTimeout as number,
      heartbeatMs: o.heartbeat as number,
      heartbeatMisses: o.heartbeatMisses as number,
      drainMs: o.drainTimeout as number,
      tls:
        o.tlsCert === undefined
          ? undefined
          : readTlsKeyPair(o.tlsCert as string, o.tlsKey as string),
      workers: o.workers as number,
      metrics: o.metrics as HostPort | undefined,
      logLevel: o.logLevel as string,
      jobs: o.jobs as number,
      jobCostUs: o.jobCostUs as number,
      proxyProtocol: proxyProtocolFromFlags(o),
    },
  };
}
