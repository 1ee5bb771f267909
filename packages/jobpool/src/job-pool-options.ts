import type { ResourceLimits } from 'node:worker_threads';
import type { JobHandler } from './job-handler.js';

/** Watermarks and hard limit of a bounded count of jobs in flight. */
export interface Watermarks {
  /** Hard limit: a `submit()` that would exceed it is refused with a coded error. */
  max?: number | undefined;
  /** At or above this many jobs in flight, the submitting key is paused (`onPressure(key, true)`). */
  highWaterMark?: number | undefined;
  /** A paused key resumes (`onPressure(key, false)`) once the count is at or below this. */
  lowWaterMark?: number | undefined;
}

/**
 * Options of `JobPool`. "In flight" means submitted and not yet delivered (queued, running, or
 * finished but waiting for an earlier job of its key).
 */
export interface JobPoolOptions<R = unknown, K = unknown> {
  /**
   * The worker module (path or `file:` URL) whose default export is the job function:
   * `(payload) => result | Promise<result>`. It may return `move(value)` from piscina to
   * transfer the result. Required.
   */
  filename: string | URL;
  /** Most worker threads. Default: `os.availableParallelism()`. */
  threads?: number | undefined;
  /** Threads kept even when idle. Default: `threads`. */
  minThreads?: number | undefined;
  /** Idle time after which a thread above `minThreads` exits, in ms. Default `30_000`. */
  idleTimeoutMs?: number | undefined;
  /**
   * V8 heap limits of each worker thread; a worker over them dies and is replaced.
   * `maxOldGenerationSizeMb` must be at least 4: a smaller heap cannot hold Node's startup
   * snapshot, and Node 22 and 24 then abort the whole process, not just the worker.
   */
  resourceLimits?: ResourceLimits | undefined;
  /**
   * Batches (piscina tasks) run at once on one thread. A batch runs its jobs one after the
   * other, so this is what lets async job functions overlap. Default `1`.
   */
  concurrentTasksPerWorker?: number | undefined;
  /**
   * Batches handed to piscina beyond what the threads can run at once, so that a thread
   * finishing a batch finds the next one waiting instead of waiting for the main thread.
   * Default: `threads`. Jobs beyond `capacity` batches wait in the pool's own per-key queues
   * (round-robin over keys, and cancelled without running). A prefetched job of a cancelled key
   * still runs with `cancelRunning: 'drop'` (its result is dropped); `0` keeps every waiting job
   * cancellable.
   */
  prefetch?: number | undefined;
  /**
   * Most jobs in one batch. Jobs submitted during one event-loop turn are dispatched together at
   * the end of that turn (a `setImmediate`, after the turn's I/O callbacks — never a timer) as
   * piscina tasks of `ceil(queued / threads)` jobs each, at most `maxBatch`: one thread hand-off
   * per batch instead of one per job. A lone job still leaves at the end of its turn.
   * `1` sends every job as a task of its own. Default `64`; range 1–65536.
   */
  maxBatch?: number | undefined;
  /**
   * Most worker time one batch should take, in µs: batches are also capped at
   * `maxBatchUs / (mean job time)` jobs (the mean is measured by the workers, a moving average;
   * until the first batch is back, batches hold one job). Batching pays off while the hand-off
   * cost (tens of µs per task) is a noticeable part of a batch; beyond that, bigger batches only
   * hold results back and keep a key's jobs off the other threads. `0` = no time cap (only
   * `maxBatch`). Default `1000`.
   */
  maxBatchUs?: number | undefined;
  /** Passed to every worker as `workerData` (from `node:worker_threads`). Default `undefined`. */
  workerData?: unknown | undefined;
  /**
   * Limits per key. Defaults: `max` 256, `highWaterMark` 64, `lowWaterMark` 16.
   * Must satisfy `0 <= lowWaterMark < highWaterMark <= max <= 2^24`.
   */
  perKey?: Watermarks | undefined;
  /**
   * Limits over all keys. Defaults: `max` 16384, `highWaterMark` 8192, `lowWaterMark` 4096.
   * Must satisfy `0 <= lowWaterMark < highWaterMark <= max`.
   */
  queue?: Watermarks | undefined;
  /**
   * What `cancelKey()` does to the key's jobs that already run on a thread:
   * `'drop'` (default) lets them finish and discards their results; `'abort'` also aborts them
   * through the `AbortSignal` given to piscina, which terminates (and replaces) their threads —
   * worth it only for long jobs.
   */
  cancelRunning?: 'drop' | 'abort' | undefined;
  /** Handler of keys submitted to without `openKey()`. Default: none (such a submit throws). */
  handler?: JobHandler<R, K> | undefined;
  /**
   * Called when a handler throws; that key is cancelled first. Default: emit the error as a
   * process warning.
   */
  onHandlerError?: ((key: K, error: unknown) => void) | undefined;
}
