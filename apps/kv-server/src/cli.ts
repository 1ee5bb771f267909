import { type HostPort, UsageError, addProxyProtocolFlags, maxBufferedOption, optionParser, parseByteSize, parseCommandLine, parseHostPort, parseInteger, proxyProtocolFromFlags, readTlsKeyPair, reportingCommand } from '@iocp/cli-support';
import type { ProxyProtocolOptions } from '@iocp/transport';
import { Command, Option } from 'commander';

/** Everything the server needs, validated. Produced by {@link parseServerArgs}. */
export interface ServerConfig {
  /** Addresses to listen on, in command-line order (at least one). */
  readonly listen: readonly HostPort[];
  /** Longest bulk string (one argument, e.g. a value) in bytes. */
  readonly maxBulk: number;
  /** Concurrent connections; `undefined` = unlimited. */
  readonly maxConnections: number | undefined;
  /** Memory budget (`limits.maxBufferedBytes`); `undefined` = the transport's default; `Infinity` = off. */
  readonly maxBuffered: number | undefined;
  /** Close a connection without read or write progress for this long; 0 = off. */
  readonly idleTimeoutMs: number;
  /** How long shutdown lets queued replies drain before ending sockets. */
  readonly drainMs: number;
  /** PEM certificate and key (contents), when TLS is on. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Where to serve Prometheus metrics, if anywhere. */
  readonly metrics: HostPort | undefined;
  /** pino level for stderr logs. */
  readonly logLevel: string;
  /** `--proxy-protocol` with its `--trusted-proxy` blocks: every listener reads a PROXY header first. */
  readonly proxyProtocol: ProxyProtocolOptions | undefined;
}

/** Run with a config, or exit now (help/version printed) with a code. */
export type ParseResult = { kind: 'run'; config: ServerConfig } | { kind: 'exit'; exitCode: number };

/** Default listen address (Redis' port). */
export const DEFAULT_LISTEN = '127.0.0.1:6379';
/** Default longest bulk string: 512 MiB, Redis' `proto-max-bulk-len`. */
export const DEFAULT_MAX_BULK = 512 * 1024 * 1024;
const MAX_MS = 2 ** 31 - 1;

/** Why `--workers` above 1 is refused (printed as the usage error). */
export const WORKERS_REFUSED =
  '--workers above 1 is refused: each worker process would hold its own key space, so clients would see different data depending on which worker accepted them; run one kv-server per core on its own --listen port and shard keys in the client instead';

/**
 * Parse and validate the command line (`argv` without `node` and the script). Help and version
 * go to `write` (stdout). Throws {@link UsageError} on any bad or unknown flag.
 */
export function parseServerArgs(argv: readonly string[], write: (text: string) => void): ParseResult {
  const program = reportingCommand(new Command('kv-server'), write)
    .description('In-memory key-value server speaking the Redis protocol (RESP2, RESP3 after HELLO 3). Prints "listening HOST:PORT" per listener on stdout; logs JSON (pino) on stderr.')
    .version('0.1.0', '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addOption(
      new Option('--listen <host:port>', 'address to listen on; repeatable; IPv6 as [::1]:6379; port 0 = any free port')
        .argParser((t: string, prev: HostPort[]) => [...prev, optionParser(parseHostPort)(t)])
        .default([], DEFAULT_LISTEN),
    )
    .addOption(new Option('--max-bulk <bytes>', 'longest bulk string (argument or value); suffixes k, m, g (default: 512m)').argParser(optionParser((t) => parseByteSize(t, 1, 2 ** 32))))
    .addOption(new Option('--max-connections <n>', 'concurrent connections (default: unlimited)').argParser(optionParser((t) => parseInteger(t, 1, 10_000_000))))
    .addOption(maxBufferedOption())
    .addOption(new Option('--idle-timeout <ms>', 'close a connection without read or write progress for this long; 0 = off').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(0))
    .addOption(new Option('--drain-timeout <ms>', 'on SIGINT/SIGTERM, let queued replies drain this long').argParser(optionParser((t) => parseInteger(t, 0, MAX_MS))).default(5000))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain) file; turns TLS on, needs --tls-key'))
    .addOption(new Option('--tls-key <file>', 'PEM private key file; needs --tls-cert'))
    .addOption(new Option('--workers <n>', 'processes; only 1 (one coherent key space, see README)').argParser(optionParser((t) => parseInteger(t, 1, 256))).default(1))
    .addOption(new Option('--metrics <host:port>', 'serve Prometheus text at http://HOST:PORT/metrics (prints "metrics HOST:PORT")').argParser(optionParser(parseHostPort)))
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'));
  addProxyProtocolFlags(program);
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  if (program.args.length > 0) throw new UsageError(`unexpected argument '${program.args[0]}'`);
  const o = program.opts<{
    listen: HostPort[];
    maxBulk?: number;
    maxConnections?: number;
    maxBuffered?: number;
    idleTimeout: number;
    drainTimeout: number;
    tlsCert?: string;
    tlsKey?: string;
    workers: number;
    metrics?: HostPort;
    logLevel: string;
    proxyProtocol?: boolean;
    trustedProxy?: string[];
  }>();
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (o.workers > 1) throw new UsageError(WORKERS_REFUSED);
  return {
    kind: 'run',
    config: {
      listen: o.listen.length > 0 ? o.listen : [parseHostPort(DEFAULT_LISTEN)],
      maxBulk: o.maxBulk ?? DEFAULT_MAX_BULK,
      maxConnections: o.maxConnections,
      maxBuffered: o.maxBuffered,
      idleTimeoutMs: o.idleTimeout,
      drainMs: o.drainTimeout,
      tls: o.tlsCert === undefined ? undefined : readTlsKeyPair(o.tlsCert, o.tlsKey as string),
      metrics: o.metrics,
      logLevel: o.logLevel,
      proxyProtocol: proxyProtocolFromFlags(o),
    },
  };
}
