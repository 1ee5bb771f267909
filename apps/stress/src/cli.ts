import { UsageError, parseByteSize, parseCommandLine, reportingCommand } from '@iocp/cli-support';
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseTarget } from './internal/parse-target.js';
import { MAX_SOURCES, isLocalAddress, parseSource } from './internal/source-addresses.js';
import type { LoadPattern, StressMode, StressOptions } from './stress-options.js';

/** Result of parsing: run with options, or exit now (help/version printed) with a code. */
export type ParseResult = { kind: 'run'; options: StressOptions } | { kind: 'exit'; exitCode: number };

/** Largest payload: 16 MiB, the default max frame of iocp-kit servers. */
export const MAX_SIZE = 16 * 1024 * 1024;
/** Default measured duration when neither `--duration` nor `--messages` is given. */
export const DEFAULT_DURATION_S = 10;

const MAX_MS = 2 ** 31 - 1;

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}

function decimal(min: number, max: number, exclusiveMin: boolean): (value: string) => number {
  return (value) => {
    const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    const low = exclusiveMin ? n > min : n >= min;
    if (!(low && n <= max)) {
      throw new InvalidArgumentError(`expected a number ${exclusiveMin ? '>' : '>='} ${min} and <= ${max}`);
    }
    return n;
  };
}

/** `64`, `4k`, `4KiB`, `1m`, `1MiB` → bytes, 1..MAX_SIZE; NaN when it is not such a size. */
function byteCount(text: string): number {
  try {
    return parseByteSize(text, 1, MAX_SIZE);
  } catch {
    return Number.NaN;
  }
}

function sizeRange(value: string): [number, number] {
  const parts = value.split('-');
  const nums = parts.map(byteCount);
  const ok = (parts.length === 1 || parts.length === 2) && nums.every((n) => !Number.isNaN(n));
  if (!ok) throw new InvalidArgumentError(`expected B or MIN-MAX, each 1..${MAX_SIZE} bytes (suffix k or m allowed)`);
  const min = nums[0]!;
  const max = nums[1] ?? min;
  if (max < min) throw new InvalidArgumentError('MIN must not exceed MAX');
  return [min, max];
}

/** Repeatable `--source`: each value adds its addresses to the list so far. */
function sources(value: string, previous: string[]): string[] {
  let more: string[];
  try {
    more = parseSource(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...previous, ...more];
}

function buildProgram(out: (text: string) => void): Command {
  return reportingCommand(new Command(), out)
    .name('stress')
    .description('Load a TCP echo server: many connections, verified echoes, latency histograms.')
    .version('0.1.0')
    .addOption(new Option('--target <host:port>', 'server to load (IPv6 as [::1]:7000)'))
    .addOption(new Option('--mode <mode>', 'wire format').choices(['framed', 'raw']).default('framed'))
    .option('--connections <n>', 'long connections, or concurrent loops with --short', integer(1, 1_000_000), 1)
    .option('--ramp <per-second>', 'new connections per second while opening (0 = as fast as possible)', decimal(0, 1e9, false), 0)
    .option('--depth <n>', 'messages in flight per connection (0 = idle connections)', integer(0, 65_536), 1)
    .option('--rate <per-second>', 'timed: messages per second per connection', decimal(0, 1e6, true))
    .option('--interval <ms>', 'timed: one message every MS per connection', decimal(0, 3_600_000, true))
    .option('--short', 'short connections: connect, exchange --per-conn messages, close, repeat', false)
    .option('--per-conn <k>', 'messages per short connection; long connections: send K, then stay idle until the end', integer(1, 1_000_000_000))
    .option('--size <bytes>', 'payload size B or MIN-MAX (k/m suffix allowed)', sizeRange, [64, 64] as [number, number])
    .option('--duration <seconds>', `measured run time (default ${DEFAULT_DURATION_S} unless --messages)`, decimal(0, MAX_MS / 1000, true))
    .option('--messages <n>', 'stop after this many messages in total', integer(1, Number.MAX_SAFE_INTEGER))
    .option('--warmup <seconds>', 'run this long before recording', decimal(0, MAX_MS / 1000, false), 0)
    .option('--after-open', 'start the warmup and duration clocks once every connection is open (or failed)', false)
    .option('--source <addr>', 'local address for new connections, round-robin; repeatable; IPv4 range FIRST-LAST allowed', sources, [] as string[])
    .option('--threads <n>', 'worker threads to spread connections over', integer(1, 256), 1)
    .option('--json', 'print the summary as JSON on stdout', false)
    .option('--hgrm <file>', 'write the latency percentile distribution (HdrHistogram format)')
    .option('--quiet', 'no live progress line', false)
    .option('--max-errors <n>', 'connection errors tolerated before exit code 1', integer(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--connect-timeout <ms>', 'connect attempt limit', integer(1, MAX_MS), 5000)
    .option('--drain-timeout <ms>', 'after stop, how long in-flight messages may take to return', integer(0, MAX_MS), 5000)
    .option('--reconnect', 'long --depth connections: after a close or failed connect, connect again and re-send the unanswered messages (an echo is idempotent)', false)
    .option('--max-inflight <n>', 'timed: in-flight messages per connection before sends are skipped', integer(1, 1_000_000), 1024)
    .allowExcessArguments(false);
}

interface RawFlags {
  target?: string;
  mode: StressMode;
  connections: number;
  ramp: number;
  depth: number;
  rate?: number;
  interval?: number;
  short: boolean;
  perConn?: number;
  size: [number, number];
  duration?: number;
  messages?: number;
  warmup: number;
  afterOpen: boolean;
  source: string[];
  threads: number;
  json: boolean;
  hgrm?: string;
  quiet: boolean;
  maxErrors: number;
  connectTimeout: number;
  drainTimeout: number;
  maxInflight: number;
  reconnect: boolean;
}

/**
 * Parse `argv` (without `node` and the script). Throws {@link UsageError} for bad flags;
 * `--help` and `--version` print to stdout and return `{ kind: 'exit', exitCode: 0 }`.
 */
export function parseStressArgs(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): ParseResult {
  const program = buildProgram(out);
  const outcome = parseCommandLine(program, argv);
  if (outcome.kind === 'exit') return outcome;
  const f = program.opts<RawFlags>();
  const given = (name: string) => program.getOptionValueSource(name) === 'cli';

  if (f.target === undefined) throw new UsageError("required option '--target <host:port>' not specified");
  const { host, port } = parseTarget(f.target);

  const timed = f.rate !== undefined || f.interval !== undefined;
  if (f.rate !== undefined && f.interval !== undefined) throw new UsageError('use either --rate or --interval, not both');
  if (timed && given('depth')) throw new UsageError('--depth (dense) and --rate/--interval (timed) exclude each other');
  if (f.short && timed) throw new UsageError('--short takes --depth, not --rate/--interval');
  if (f.perConn !== undefined && timed) throw new UsageError('--per-conn applies to --depth (dense) or --short, not --rate/--interval');
  if (f.short && f.depth === 0) throw new UsageError('--short needs --depth >= 1');
  const pattern: LoadPattern = f.short ? 'short' : timed ? 'timed' : 'dense';
  if (pattern === 'dense' && f.perConn !== undefined) {
    if (f.depth === 0) throw new UsageError('--per-conn needs --depth >= 1 (--depth 0 sends nothing)');
    if (f.messages !== undefined) throw new UsageError('--per-conn on long connections holds them until --duration: use it or --messages, not both');
  }
  const ratePerSec = f.rate ?? (f.interval !== undefined ? 1000 / f.interval : 0);

  if (f.messages !== undefined && pattern === 'dense' && f.depth === 0) {
    throw new UsageError('--messages with --depth 0 would never finish');
  }
  if (f.reconnect && pattern !== 'dense') throw new UsageError('--reconnect applies to long --depth connections, not --short or --rate/--interval');
  if (f.reconnect && f.perConn !== undefined) throw new UsageError('--reconnect and --per-conn exclude each other');
  if (f.afterOpen && f.short) throw new UsageError('--after-open applies to long connections, not --short');
  if (f.messages !== undefined && f.warmup > 0) throw new UsageError('--warmup needs --duration, not --messages');
  if (f.source.length > MAX_SOURCES) throw new UsageError(`--source: at most ${MAX_SOURCES} addresses in all (got ${f.source.length})`);
  for (const addr of f.source) {
    if (!isLocalAddress(addr)) throw new UsageError(`--source ${addr} is not an address of this host (any 127.x.y.z, or an interface address)`);
    const family = isIP(host);
    if (family !== 0 && isIP(addr) !== family) throw new UsageError(`--source ${addr} is IPv${isIP(addr)} but --target ${f.target} is IPv${family}`);
  }
  const durationMs = f.duration !== undefined ? Math.round(f.duration * 1000) : f.messages !== undefined ? 0 : DEFAULT_DURATION_S * 1000;

  return {
    kind: 'run',
    options: {
      host,
      port,
      target: f.target,
      mode: f.mode,
      pattern,
      connections: f.connections,
      rampPerSec: f.ramp,
      depth: pattern === 'timed' ? 0 : f.depth,
      ratePerSec,
      perConn: f.perConn ?? (pattern === 'short' ? 1 : 0),
      sizeMin: f.size[0],
      sizeMax: f.size[1],
      durationMs,
      messages: f.messages ?? 0,
      warmupMs: Math.round(f.warmup * 1000),
      afterOpen: f.afterOpen,
      sources: f.source,
      threads: Math.min(f.threads, f.connections),
      json: f.json,
      hgrm: f.hgrm,
      quiet: f.quiet,
      maxErrors: f.maxErrors,
      connectTimeoutMs: f.connectTimeout,
      drainTimeoutMs: f.drainTimeout,
      maxInflight: f.maxInflight,
      reconnect: f.reconnect,
    },
  };
}
