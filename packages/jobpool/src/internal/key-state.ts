import type { Reorderer } from '@iocp/reorder';
import type { JobHandler } from '../job-handler.js';
import type { Job } from './job.js';

/** The pool's book-keeping for one key. */
export class KeyState<P, R, K> {
  readonly key: K;
  readonly handler: JobHandler<R, K>;
  /** Opened with `openKey()` (kept while idle) rather than implicitly by `submit()`. */
  readonly explicit: boolean;
  /** Puts results back in order; taken from the pool's spare list while the key has jobs. */
  reorderer: Reorderer<Job<P, R, K>> | null = null;
  /** Sequence number of the next submitted job. */
  nextSeq = 0;
  /** Jobs submitted and not yet delivered or dropped. */
  inFlight = 0;
  /** FIFO of jobs waiting for a thread. */
  head: Job<P, R, K> | null = null;
  tail: Job<P, R, K> | null = null;
  /** Whether the key is in the pool's round-robin list of keys with queued jobs. */
  ready = false;
  /** Jobs in the FIFO. */
  queued = 0;
  /** Jobs handed to piscina and not settled. */
  running = 0;
  /** Next key in that list. */
  nextReady: KeyState<P, R, K> | null = null;
  /** `onPressure(key, true)` was called and `onPressure(key, false)` not yet. */
  paused = false;
  /** `cancelKey()` was called: deliver nothing more. */
  cancelled = false;
  /** `cancelKey()` aborts the key's running jobs (`cancelRunning: 'abort'`). */
  readonly abortable: boolean;

  constructor(key: K, handler: JobHandler<R, K>, explicit: boolean, abortable: boolean) {
    this.key = key;
    this.handler = handler;
    this.explicit = explicit;
    this.abortable = abortable;
  }
}
