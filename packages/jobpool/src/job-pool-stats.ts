/** Job latency summary in microseconds, from `submit()` to delivery. */
export interface LatencyStats {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** A snapshot of the pool's counters (see `JobPool.stats()`). */
export interface JobPoolStats {
  /** Worker threads alive now. */
  threads: number;
  /** Keys the pool tracks: opened, or with jobs in flight. */
  keys: number;
  /** Keys currently paused by backpressure. */
  pausedKeys: number;
  /** Jobs submitted and not yet delivered or dropped. */
  inFlight: number;
  /** Jobs waiting for a thread. */
  queued: number;
  /** Jobs handed to piscina in batches (running, or prefetched for a thread) and not finished. */
  running: number;
  /** Jobs finished and held back until an earlier job of their key is delivered. */
  waiting: number;
  /** Jobs accepted by `submit()` since the start. */
  submitted: number;
  /** Results delivered through `onResult`. */
  completed: number;
  /** Errors delivered through `onError`. */
  failed: number;
  /** Jobs whose result was dropped by `cancelKey()` or a forced `close()`. */
  cancelled: number;
  /** Results that finished before an earlier job of their key and had to wait for it. */
  reordered: number;
  /** Errors a worker raised outside any job (the thread was replaced). */
  workerErrors: number;
  /**
   * Batches (piscina tasks) dispatched since the start. Always set by `JobPool.stats()`;
   * optional in the type so that snapshots built by hand for 0.1 (test doubles) still fit.
   */
  batches?: number;
  /** Mean jobs per dispatched batch (0 before the first batch). Always set, like `batches`. */
  meanBatchSize?: number;
  /** Submit-to-delivery latency of delivered jobs, in µs. */
  latencyUs: LatencyStats;
}
