import type { Transferable } from 'node:worker_threads';
import type { JobError } from '../errors.js';
import type { KeyState } from './key-state.js';

/**
 * One submitted job. Recycled through a free list once delivered or dropped, so a steady stream
 * of jobs allocates no job objects.
 */
export class Job<P, R, K> {
  /** The key this job belongs to; `null` while the job is in the free list. */
  state: KeyState<P, R, K> | null = null;
  /** Sequence number within the key. */
  seq = 0;
  /** The payload until it is handed to piscina. */
  payload: P | undefined = undefined;
  /** Objects to transfer with the payload, if any. */
  transferList: readonly Transferable[] | undefined = undefined;
  /** `performance.now()` at submit. */
  submittedAt = 0;
  /** The result, once finished without error. */
  value: R | undefined = undefined;
  /** The error, once failed. */
  error: JobError | undefined = undefined;
  /** Next job in the key's FIFO of queued jobs. */
  next: Job<P, R, K> | null = null;

  /** Forget every reference so the free list holds no payloads or results. */
  clear(): void {
    this.state = null;
    this.payload = undefined;
    this.transferList = undefined;
    this.value = undefined;
    this.error = undefined;
    this.next = null;
  }
}
