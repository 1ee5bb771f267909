export { JobPool } from './job-pool.js';
export type { JobPoolStats, LatencyStats } from './job-pool-stats.js';
export type { JobPoolOptions, Watermarks } from './job-pool-options.js';
export type { JobHandler } from './job-handler.js';
export { ConnectionJobs, jobPoolHandler } from './connection-jobs.js';
export type { ConnectionJobsOptions, JobConnection, JobPoolHandler } from './connection-jobs.js';
export {
  InvalidOptionError,
  IocpError,
  JobError,
  JobFailedError,
  JobModuleError,
  JobPoolError,
  KeyExistsError,
  KeyFullError,
  PoolClosedError,
  QueueFullError,
  UnknownKeyError,
  WorkerDiedError,
} from './errors.js';
export type { WorkerDeathReason } from './errors.js';
export { ECHO_WORKER_PATH } from './internal/paths.js';
