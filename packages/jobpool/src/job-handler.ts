import type { JobError } from './errors.js';

/**
 * Receives the results of one key (or of every key using the pool's default handler).
 * Registered once per key — no closure per job. Calls for one key come in submission order:
 * `onResult`/`onError` exactly once per accepted job, unless the key was cancelled.
 * Calls run synchronously on the main thread; a handler that throws gets its key cancelled
 * (see `JobPoolOptions.onHandlerError`).
 */
export interface JobHandler<R = unknown, K = unknown> {
  /** The job with sequence number `seq` (per key, from 0, wrapping at 2^32) returned `result`. */
  onResult(key: K, result: R, seq: number): void;
  /**
   * The job with sequence number `seq` failed: it threw (`IOCP_ERR_JOB_FAILED`), its worker
   * died (`IOCP_ERR_JOB_WORKER_DIED`), or the worker module is unusable (`IOCP_ERR_JOB_MODULE`).
   * Delivered in the job's place in the order; later jobs of the key are not affected.
   */
  onError(key: K, error: JobError, seq: number): void;
  /**
   * Backpressure for this key: `true` when the key reached `perKey.highWaterMark` jobs in flight
   * (or the pool reached `queue.highWaterMark`) — stop submitting, e.g. `conn.pause()`;
   * `false` once both fell to their low watermarks — e.g. `conn.resume()` — or when a paused
   * key is cancelled. Calls alternate, starting with `true`.
   */
  onPressure?: ((key: K, paused: boolean) => void) | undefined;
}
