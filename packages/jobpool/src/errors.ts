/**
 * Errors of `@iocp/jobpool`. Match on {@link JobPoolError.code}, never on the message.
 *
 * Thrown by `submit()` / `openKey()` / the constructor (the call is refused, nothing changed):
 * `IOCP_ERR_INVALID_OPTION`, `IOCP_ERR_JOB_KEY_FULL`, `IOCP_ERR_JOB_QUEUE_FULL`,
 * `IOCP_ERR_JOB_POOL_CLOSED`, `IOCP_ERR_JOB_UNKNOWN_KEY`, `IOCP_ERR_JOB_KEY_EXISTS`.
 *
 * Delivered to `JobHandler.onError` in the failed job's place in the order (a {@link JobError}):
 * `IOCP_ERR_JOB_FAILED`, `IOCP_ERR_JOB_WORKER_DIED`, `IOCP_ERR_JOB_MODULE`.
 *
 * Every error is an `IocpError` (from `@iocp/errors`, re-exported here); `InvalidOptionError` is
 * the one class all iocp-kit packages share (its `option` is the dotted option name, e.g.
 * `perKey.highWaterMark`).
 *
 * @module
 */
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** Base class of every error of this package, except the shared {@link InvalidOptionError}. */
export class JobPoolError extends IocpError {}

/** The pool is closing or closed: no new jobs or keys. */
export class PoolClosedError extends JobPoolError {
  constructor() {
    super('IOCP_ERR_JOB_POOL_CLOSED', 'the job pool is closed');
  }
}

/**
 * A key already has `perKey.max` jobs in flight (submitted, not yet delivered). The caller
 * ignored the pressure signal; the job was not accepted.
 */
export class KeyFullError extends JobPoolError {
  /** The key's in-flight limit. */
  readonly limit: number;

  constructor(limit: number) {
    super('IOCP_ERR_JOB_KEY_FULL', `key already has ${limit} jobs in flight (perKey.max)`);
    this.limit = limit;
  }
}

/** The pool already holds `queue.max` jobs in flight over all keys; the job was not accepted. */
export class QueueFullError extends JobPoolError {
  /** The pool's in-flight limit. */
  readonly limit: number;

  constructor(limit: number) {
    super('IOCP_ERR_JOB_QUEUE_FULL', `pool already has ${limit} jobs in flight (queue.max)`);
    this.limit = limit;
  }
}

/** `submit()` for a key that was never opened, on a pool without a default handler. */
export class UnknownKeyError extends JobPoolError {
  constructor(key: unknown) {
    super(
      'IOCP_ERR_JOB_UNKNOWN_KEY',
      `key ${String(key)} is not open and the pool has no default handler`,
    );
  }
}

/** `openKey()` for a key that is already open. */
export class KeyExistsError extends JobPoolError {
  constructor(key: unknown) {
    super('IOCP_ERR_JOB_KEY_EXISTS', `key ${String(key)} is already open`);
  }
}

/** Base class of the errors delivered as a job's result. */
export class JobError extends JobPoolError {}

/** The job function threw or rejected; `cause` is the error as rebuilt from the worker. */
export class JobFailedError extends JobError {
  constructor(cause: Error) {
    super('IOCP_ERR_JOB_FAILED', `job failed: ${cause.message}`, { cause });
  }
}

/**
 * Why a worker thread went away under a job: `exit` (`process.exit()`), `error` (threw outside a job),
 * `resource-limit` (over its `resourceLimits`), `startup` (no thread could start to run the
 * job — e.g. `resourceLimits` too small to boot a thread).
 */
export type WorkerDeathReason = 'exit' | 'error' | 'resource-limit' | 'startup';

/**
 * The worker thread running the job died: it exited (`process.exit()`), threw outside of a
 * job, or hit its `resourceLimits` — piscina replaces the thread, other jobs are not affected;
 * or no thread could start at all (`startup`): the job fails instead of waiting forever, and a
 * later job tries a new thread again.
 */
export class WorkerDiedError extends JobError {
  /** What killed the worker. */
  readonly reason: WorkerDeathReason;

  constructor(reason: WorkerDeathReason, cause: unknown) {
    super(
      'IOCP_ERR_JOB_WORKER_DIED',
      `worker died (${reason}): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.reason = reason;
  }
}

/** The worker module could not be loaded or has no default-exported function. */
export class JobModuleError extends JobError {
  constructor(cause: Error) {
    super('IOCP_ERR_JOB_MODULE', `worker module unusable: ${cause.message}`, { cause });
  }
}
