import { WorkerDiedError } from '../errors.js';

/**
 * Turn a rejection of piscina's `run()` into the coded error delivered for the job. The worker
 * entry never lets a job's own error reject (see `failure.ts`), so a rejection means the thread
 * went away: an `ERR_WORKER_OUT_OF_MEMORY` error (resource limits), piscina's "worker exited"
 * error (`process.exit()`), or the error that killed it.
 */
export function classifyDeath(failure: unknown): WorkerDiedError {
  // The pool's own verdict (a batch stranded without threads), one instance per job.
  if (failure instanceof WorkerDiedError) return new WorkerDiedError(failure.reason, failure.cause);
  const code = (failure as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return new WorkerDiedError('resource-limit', failure);
  if (failure instanceof Error && failure.message.startsWith('worker exited')) {
    return new WorkerDiedError('exit', failure);
  }
  return new WorkerDiedError('error', failure);
}
