/** How payloads travel: `framed` = 4-byte big-endian length + payload; `raw` = bare bytes. */
export type StressMode = 'framed' | 'raw';

/**
 * How each connection generates load.
 * - `dense`: keep `depth` messages in flight (send the next as soon as one returns).
 * - `timed`: send `ratePerSec` messages per second per connection, regardless of replies.
 * - `short`: connect, exchange `perConn` messages, close, repeat.
 */
export type LoadPattern = 'dense' | 'timed' | 'short';

/** Everything one stress run needs, validated. Produced by `parseStressArgs`. */
export interface StressOptions {
  /** Host to connect to (IPv6 without brackets). */
  readonly host: string;
  /** TCP port to connect to. */
  readonly port: number;
  /** The target as given, for reports. */
  readonly target: string;
  /** Wire format. Default `framed`. */
  readonly mode: StressMode;
  /** Load pattern, from the flags. Default `dense`. */
  readonly pattern: LoadPattern;
  /** Long connections to hold, or (short mode) concurrent connect-exchange-close loops. Default 1. */
  readonly connections: number;
  /** New connections per second while opening; 0 = as fast as possible. Default 0. */
  readonly rampPerSec: number;
  /** Messages in flight per connection (dense and short). 0 = open and stay idle. Default 1. */
  readonly depth: number;
  /** Messages per second per connection (timed). */
  readonly ratePerSec: number;
  /**
   * Messages per connection: short connections exchange this many, then close (default 1);
   * long dense connections send this many, then stay open and idle until the run ends
   * (0 = no limit, the default).
   */
  readonly perConn: number;
  /** Smallest payload in bytes. Default 64. */
  readonly sizeMin: number;
  /** Largest payload in bytes (equal to `sizeMin` for a fixed size). Default 64. */
  readonly sizeMax: number;
  /** Measured run time in ms after the warmup; 0 = until `messages` are done. Default 10 s. */
  readonly durationMs: number;
  /** Total messages to exchange; 0 = unbounded (duration decides). */
  readonly messages: number;
  /** Warmup in ms: load runs but nothing is recorded. Default 0. */
  readonly warmupMs: number;
  /** Start the warmup and duration clocks once every long connection has connected or failed. */
  readonly afterOpen: boolean;
  /** Local addresses new connections are bound to, round-robin by connection id; empty = the system's choice. */
  readonly sources: readonly string[];
  /** Worker threads the connections are spread over; 1 = run in the main thread. Default 1. */
  readonly threads: number;
  /** Print the summary as JSON on stdout. */
  readonly json: boolean;
  /** Write the latency percentile distribution (HdrHistogram text format) to this file. */
  readonly hgrm: string | undefined;
  /** No live progress line. */
  readonly quiet: boolean;
  /** Connection errors tolerated before the exit code becomes 1. Default 0. */
  readonly maxErrors: number;
  /** Connect attempt limit in ms. Default 5000. */
  readonly connectTimeoutMs: number;
  /** After the run stops, how long in-flight messages may take to return, in ms. Default 5000. */
  readonly drainTimeoutMs: number;
  /** Timed mode: messages in flight per connection before sends are skipped. Default 1024. */
  readonly maxInflight: number;
  /**
   * Long dense connections: after a close or a failed connect during the run, connect again and
   * re-send the messages that were left unanswered (an echo is idempotent). Default false.
   */
  readonly reconnect: boolean;
}
