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

/** Everything the server needs, validated. */
export interface ServerConfig {
  readonly listen: readonly HostPort[];
  readonly root: string;
  readonly token: string | undefined;
  readonly maxFileSize: number | undefined;
  readonly maxFrame: number;
  readonly chunkSize: number;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly drainMs: number;
  /** Close a connection whose queued frames make no write progress for this long (the peer stopped reading); 0 = off. */
  readonly writeTimeoutMs: number;
  /** Where to serve Prometheus metrics, if anywhere. */
  readonly metrics: HostPort | undefined;
  readonly logLevel: string;
  /** `--proxy-protocol` with its `--trusted-proxy` blocks: every listener reads a PROXY header first. */
  readonly proxyProtocol: ProxyProtocolOptions | undefined;
  /** Memory budget (`limits.maxBufferedBytes`); `undefined` = the transport's default; `Infinity` = off. */
  readonly maxBuffered: number | undefined;
}

/** Run with a config, or exit now (help/version printed). */
export type ParseResult = { kind: 'run'; config: ServerConfig } | { kind: 'exit'; exitCode: number };

const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
const DEFAULT_CHUNK = 256 * 1024;

/**
 * Parse `file-server` flags. Bad input throws {@link UsageError} (one line, exit 2).
 * `write` receives help and version text.
 */
export function parseServerArgs(argv: readonly string[], write: (text: string) => void): ParseResult {
  const program = reportingCommand(new Command('file-server'), write)
    .description('File server over @iocp/file-transfer. Prints "listening HOST:PORT" per listener on stdout; logs JSON (pino) on stderr.')
    .version('0.1.0', '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addOption(
      new Option('--listen <host:port>', 'address to listen on; repeatable; IPv6 as [::1]:7001')
        .argParser((t: string, prev: HostPort[]) => [...prev, optionParser(parseHostPort)(t)])
        .default([], '127.0.0.1:7000'),
    )
    .addOption(new Option('--root <dir>', 'folder to serve (required); nothing outside it is read or written'))
    .addOption(new Option('--token <token>', 'shared token clients must present (or env FILE_SERVER_TOKEN)'))
    .addOption(new Option('--max-file-size <bytes>', 'largest upload; suffixes k, m, g, t (default: unlimited)').argParser(optionParser((t) => parseByteSize(t, 0, Number.MAX_SAFE_INTEGER))))
    .addOption(new Option('--max-frame <bytes>', 'largest frame payload; suffixes k, m, g (default: 16m)').argParser(optionParser((t) => parseByteSize(t, 4096, 1024 ** 3))))
    .addOption(new Option('--chunk-size <bytes>', 'largest DATA payload (default: 256k, at most max-frame - 5)').argParser(optionParser((t) => parseByteSize(t, 1024, 1024 ** 3))))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate file; turns TLS on, needs --tls-key'))
    .addOption(new Option('--tls-key <file>', 'PEM private key file; needs --tls-cert'))
    .addOption(new Option('--drain-timeout <ms>', 'on SIGINT/SIGTERM, let queued frames drain this long').argParser(optionParser((t) => parseInteger(t, 0, 2 ** 31 - 1))).default(2000))
    .addOption(new Option('--write-timeout <ms>', 'close a connection whose queued frames make no write progress for this long (the peer stopped reading); 0 = off').argParser(optionParser((t) => parseInteger(t, 0, 2 ** 31 - 1))).default(0))
    .addOption(maxBufferedOption())
    .addOption(new Option('--metrics <host:port>', 'serve Prometheus text at http://HOST:PORT/metrics (prints "metrics HOST:PORT")').argParser(optionParser(parseHostPort)))
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'));
  addProxyProtocolFlags(program);
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  if (program.args.length > 0) throw new UsageError(`unexpected argument '${program.args[0]}'`);
  const o = program.opts<{
    listen: HostPort[];
    root?: string;
    token?: string;
    maxFileSize?: number;
    maxFrame?: number;
    chunkSize?: number;
    tlsCert?: string;
    tlsKey?: string;
    drainTimeout: number;
    writeTimeout: number;
    metrics?: HostPort;
    logLevel: string;
    proxyProtocol?: boolean;
    trustedProxy?: string[];
    maxBuffered?: number;
  }>();
  if (!o.root) throw new UsageError('--root <dir> is required');
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const maxFrame = o.maxFrame ?? DEFAULT_MAX_FRAME;
  const chunkSize = o.chunkSize ?? Math.min(DEFAULT_CHUNK, maxFrame - 5);
  if (chunkSize > maxFrame - 5) throw new UsageError(`--chunk-size ${chunkSize} must be at most --max-frame - 5 (${maxFrame - 5})`);
  const token = o.token ?? process.env.FILE_SERVER_TOKEN;
  if (token === '') throw new UsageError('--token must not be empty');
  return {
    kind: 'run',
    config: {
      listen: o.listen.length > 0 ? o.listen : [{ host: '127.0.0.1', port: 7000 }],
      root: o.root,
      token,
      maxFileSize: o.maxFileSize,
      maxFrame,
      chunkSize,
      tls: o.tlsCert && o.tlsKey ? readTlsKeyPair(o.tlsCert, o.tlsKey) : undefined,
      drainMs: o.drainTimeout,
      writeTimeoutMs: o.writeTimeout,
      metrics: o.metrics,
      logLevel: o.logLevel,
      proxyProtocol: proxyProtocolFromFlags(o),
      maxBuffered: o.maxBuffered,
    },
  };
}
