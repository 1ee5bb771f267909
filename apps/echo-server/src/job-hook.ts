import { ECHO_WORKER_PATH, JobPool, type JobPoolStats, jobPoolHandler } from '@iocp/jobpool';
import type { Handler } from '@iocp/transport';
import type { ServerConfig } from './cli.js';
import { createEchoHandler } from './echo-handler.js';
import { StartupError } from './errors.js';
import { createJobErrorPolicy, createJobsHandler } from './jobs-handler.js';
import type { Logger } from './logger.js';

/**
 * The one place that decides which transport handler serves connections (`--jobs N`,
 * `--job-cost-us U`). The server asks it once per process, at startup — in cluster mode each
 * worker process therefore has its own pool.
 *
 * - `--jobs 0` (default): the echo handler; with `--job-cost-us U` every frame first burns U µs
 *   on the I/O thread (the baseline a job pool must beat). Without a cost there is no processor
 *   at all: no promise, no closure per frame.
 * - `--jobs N > 0`: an @iocp/jobpool pool of N threads running the echo job (which burns a
 *   random 0.5U–1.5U µs, so jobs finish out of order), served by `jobPoolHandler`: several jobs
 *   of one connection in flight, replies released in request order, reading paused on
 *   backpressure, a half-closed peer still answered, a failed job closes only its connection.
 */
export interface JobHook {
  /** The handler every listener uses. */
  readonly handler: Handler;
  /** Release threads and timers; called once during shutdown, after the port closed. */
  close(): Promise<void>;
  /** The job pool's counters, when there is a pool (`--jobs N > 0`). */
  readonly jobStats?: () => JobPoolStats;
}

/**
 * A synchronous per-frame transform used by the echo handler: what to send back for one frame.
 * (Asynchronous work belongs in a handler of its own, see {@link JobHook}.)
 */
export interface FrameProcessor {
  /** Turn one received frame (or raw chunk) into the bytes to echo. */
  process(frame: Buffer): Buffer;
}

/** Busy-wait `us` microseconds on the calling thread: the cost a job would have. */
function spin(us: number): void {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  while (process.hrtime.bigint() < end) {
    // burn CPU on purpose: this is the simulated work
  }
}

/** Runs the simulated cost on the I/O thread, then echoes the frame unchanged. */
export class InlineCostProcessor implements FrameProcessor {
  constructor(private readonly costUs: number) {}

  process(frame: Buffer): Buffer {
    spin(this.costUs);
    return frame;
  }
}

/**
 * The handler (and its cleanup) for this configuration.
 * @throws {@link StartupError} when the job pool cannot start (its code is the pool's, e.g.
 * `IOCP_ERR_INVALID_OPTION` for a missing worker module).
 */
export function createJobHook(config: Pick<ServerConfig, 'jobs' | 'jobCostUs'>, log: Logger): JobHook {
  if (config.jobs > 0) return createPoolHook(config.jobs, config.jobCostUs, log);
  const processor = config.jobCostUs > 0 ? new InlineCostProcessor(config.jobCostUs) : undefined;
  return { handler: createEchoHandler(log, processor), close: async () => {} };
}

function createPoolHook(threads: number, costUs: number, log: Logger): JobHook {
  let pool: JobPool<Uint8Array, Uint8Array, number>;
  try {
    pool = new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads,
      workerData: { costUs },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new StartupError(
      typeof code === 'string' ? code : 'IOCP_ERR_INTERNAL',
      `cannot start the job pool (--jobs ${threads}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const jobs = jobPoolHandler(pool, { onJobError: createJobErrorPolicy(log) });
  log.info({ threads, costUs }, 'job pool started');
  return {
    handler: createJobsHandler(jobs, log),
    jobStats: () => pool.stats(),
    async close() {
      // The port closed first: every connection's jobs are cancelled, nothing is left to deliver.
      await pool.close();
      const { submitted, completed, failed, cancelled, reordered } = pool.stats();
      log.info({ jobs: { submitted, completed, failed, cancelled, reordered } }, 'job pool closed');
    },
  };
}
