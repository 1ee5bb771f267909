import type { Job } from './job.js';
import type { KeyState } from './key-state.js';

/** One batch handed to piscina (one piscina task), until it settles. */
export class BatchRun<P, R, K> {
  /**
   * Aborts the piscina task. A signal costs piscina work per task, so only batches that may
   * need it get one: those of keys with `cancelRunning: 'abort'`, and every batch while the
   * pool is degraded (a thread died and none has returned a result since).
   */
  readonly abort: AbortController | null;
  /** Settled by the pool before piscina did (stranded): piscina's outcome is ignored. */
  withdrawn = false;

  constructor(
    /** The key whose jobs the batch holds. */
    readonly state: KeyState<P, R, K>,
    readonly batch: (Job<P, R, K> | null)[],
    abortable: boolean,
  ) {
    this.abort = abortable ? new AbortController() : null;
  }
}
