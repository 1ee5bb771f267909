import type { LoadPattern, StressMode, StressOptions } from './stress-options.js';

/** Latency percentiles in microseconds (all 0 when nothing was recorded). */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** The first byte where an echo differed from what was sent. */
export interface FirstMismatch {
  /** Connection id (0-based, in opening order across all threads; short mode: the loop id). */
  readonly connection: number;
  /** Offset in that connection's received byte stream where the first wrong byte sits. */
  readonly offset: number;
  /** Byte that was sent there; -1 when the server returned more bytes than were sent. */
  readonly expected: number;
  /** Byte that came back. */
  readonly actual: number;
}

/** The end-of-run report; `--json` prints exactly this object. */
export interface StressSummary {
  readonly target: string;
  readonly mode: StressMode;
  readonly pattern: LoadPattern;
  /** The load shape that ran. */
  readonly config: Pick<
    StressOptions,
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
    | 'sources'
    | 'threads'
  >;
  /** Measured window (warmup excluded), seconds. */
  readonly elapsedSec: number;
  readonly connections: {
    /** `--connections`. */
    readonly requested: number;
    /** Successful connects (short mode: every connect of every loop). */
    readonly opened: number;
    /** Connect attempts that failed (refused, timed out). */
    readonly failed: number;
    /** Established connections that ended by error or by the peer before the tool closed them. */
    readonly closedEarly: number;
    /** `--reconnect`: connections made again after a close or a failed connect (each close or failure is also an error). */
    readonly reconnects: number;
    /** Time from start until every long connection attempt had settled, ms; null in short mode or if cut short. */
    readonly openMs: number | null;
    /**
     * With `--per-conn` on long connections: time from start until every connection had its
     * messages answered (or had ended), ms — from then on the connections are idle; null
     * otherwise, or if the run stopped first.
     */
    readonly doneMs: number | null;
    /** Short mode: connect-exchange-close cycles completed in the window. */
    readonly completed: number;
    /** Short mode: completed cycles per second; null otherwise. */
    readonly perSecond: number | null;
  };
  readonly messages: {
    readonly sent: number;
    readonly received: number;
    /** Answered since start, warmup included (matches a server's CPU time over the whole run). */
    readonly total: number;
    /** Messages answered per second in the window. */
    readonly perSecond: number;
    /** Still unanswered when the drain timeout expired (each counts its connection as an error). */
    readonly unanswered: number;
    /** `--reconnect`: messages sent again on a new connection because the old one closed before answering them (also counted in `sent`). */
    readonly resent: number;
    /** Timed mode: sends skipped because `--max-inflight` was reached. */
    readonly skipped: number;
  };
  readonly bytes: {
    /** Wire bytes (headers included) sent / received and verified. */
    readonly sent: number;
    readonly received: number;
    /** Received wire bytes per second in the window, MiB/s (one direction). */
    readonly mibPerSecond: number;
  };
  /** Message round trip: from the write to the arrival of its last echoed byte. */
  readonly latencyUs: LatencySummary;
  /** From `connect()` to the `connect` event. */
  readonly connectLatencyUs: LatencySummary;
  readonly errors: {
    /** Failed connects + connections closed early. */
    readonly total: number;
    /** `--max-errors`. */
    readonly maxAllowed: number;
    /** Count per code: Node's (`ECONNREFUSED`, `ECONNRESET`, ...) or the tool's (`IOCP_ERR_...`). */
    readonly byCode: Record<string, number>;
  };
  readonly mismatches: {
    /** Connections whose echo diverged (each stops at its first wrong byte). */
    readonly count: number;
    readonly first: FirstMismatch | null;
  };
  /** This process (all threads): CPU time and wall time since start — shows whether the load tool itself was saturated. */
  readonly process: {
    readonly cpuUserSec: number;
    readonly cpuSystemSec: number;
    readonly wallSec: number;
  };
  /** The process exit code: 0 ok, 1 errors over `--max-errors`, nothing connected, or the `--hgrm` file could not be written, 3 mismatch. */
  readonly exitCode: number;
}
