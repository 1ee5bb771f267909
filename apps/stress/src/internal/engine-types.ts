import type { StressOptions } from '../stress-options.js';

/**
 * One engine's share of the run (serializable: it crosses into worker threads). The shared
 * fields mean what they mean in {@link StressOptions}; `connections` and `messages` are this
 * engine's share, `rampPerSec` its share of `--ramp`.
 */
export interface EngineConfig
  extends Pick<
    StressOptions,
    | 'host'
    | 'port'
    | 'mode'
    | 'pattern'
    | 'connections'
    | 'rampPerSec'
    | 'depth'
    | 'ratePerSec'
    | 'perConn'
    | 'sizeMin'
    | 'sizeMax'
    | 'durationMs'
    | 'messages'
    | 'warmupMs'
    | 'afterOpen'
    | 'sources'
    | 'connectTimeoutMs'
    | 'drainTimeoutMs'
    | 'maxInflight'
    | 'reconnect'
  > {
  /** Id of this engine's first connection (ids are global across engines). */
  readonly connIdBase: number;
}

/** The first byte where an echo differed from what was sent. */
export interface MismatchReport {
  /** Global connection id (0-based, in opening order; short mode: the loop id). */
  readonly connection: number;
  /** Offset in that connection's received byte stream (short mode: of that connection instance). */
  readonly offset: number;
  /** Byte that was sent at that offset; -1 when the server returned more bytes than were sent. */
  readonly expected: number;
  /** Byte that came back. */
  readonly actual: number;
  /** When it was seen, ms since the engine started. */
  readonly atMs: number;
}

/** What one engine reports at the end (serializable). */
export interface EngineResult {
  /** Measured window: from warmup end to stop, in ms. */
  readonly windowMs: number;
  /** From start until every connection attempt had settled (long connections); null if never. */
  readonly openMs: number | null;
  /** With `perConn` on long connections: from start until every connection had its messages answered (or ended); null if never. */
  readonly doneMs: number | null;
  readonly opened: number;
  readonly failed: number;
  readonly closedEarly: number;
  /** Completed short connections in the window. */
  readonly shortDone: number;
  /** Messages sent / answered in the window (answers after stop, during drain, included). */
  readonly sent: number;
  readonly received: number;
  /** Messages answered before the stop, in the window: the base of messages/s. */
  readonly receivedInWindow: number;
  /** Messages answered since start, warmup and drain included. */
  readonly answeredTotal: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly bytesReceivedInWindow: number;
  /** Timed mode: sends skipped because `--max-inflight` was reached. */
  readonly skipped: number;
  /** Messages still unanswered when the drain timeout expired. */
  readonly unanswered: number;
  /** With `reconnect`: new connections made after a close or a failed connect. */
  readonly reconnects: number;
  /** With `reconnect`: messages sent again after a reconnect because they had not been answered. */
  readonly resent: number;
  readonly errors: Record<string, number>;
  readonly mismatches: number;
  readonly firstMismatch: MismatchReport | null;
  /** Latency histogram (µs), HdrHistogram compressed base64. */
  readonly latency: string;
  /** Connect latency histogram (µs), HdrHistogram compressed base64. */
  readonly connectLatency: string;
}

/** Slots of the live progress array (cumulative since start; written by the engine, read by main). */
export const Progress = {
  received: 0,
  bytesReceived: 1,
  open: 2,
  failed: 3,
  errors: 4,
  mismatches: 5,
  shortDone: 6,
  /** 0 warmup, 1 measuring, 2 draining, 3 done. */
  phase: 7,
  length: 8,
} as const;
