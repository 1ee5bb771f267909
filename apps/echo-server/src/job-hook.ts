import type { Handler } from '@iocp/transport';
import type { ServerConfig } from './cli.js';
import { createEchoHandler } from './echo-handler.js';
import { UsageError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * HOOK POINT for @iocp/jobpool (`--jobs N`, `--job-cost-us U`) — the one place that decides
 * which transport handler serves connections. The server asks it once per process, at startup.
 *
 * - `--jobs 0` (default): the echo handler; with `--job-cost-us U` every frame first burns U µs
 *   on the I/O thread (the baseline a job pool must beat). Without a cost there is no processor
 *   at all: no promise, no closure per frame.
 * - `--jobs N > 0`: to be wired to @iocp/jobpool. Return
 *   `{ handler: jobPoolHandler(pool, …), close: () => pool.close() }` with a pool of N threads
 *   running the echo job with `jobCostUs`: that handler keeps several jobs of one connection in
 *   flight, releases replies in request order and pauses reading on backpressure. Nothing else
 *   in the app needs to change (`close()` runs after the port has drained).
 */
export interface JobHook {
  /** The handler every listener uses. */
  readonly handler: Handler;
  /** Release threads and timers; called once during shutdown, after the port closed. */
  close(): Promise<void>;
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
 * @throws {@link UsageError} when `--jobs` asks for a pool this build does not wire yet.
 */
export function createJobHook(config: Pick<ServerConfig, 'jobs' | 'jobCostUs'>, log: Logger): JobHook {
  if (config.jobs > 0) {
    throw new UsageError('--jobs needs @iocp/jobpool, which this build of echo-server does not wire yet; use --jobs 0');
  }
  const processor = config.jobCostUs > 0 ? new InlineCostProcessor(config.jobCostUs) : undefined;
  return { handler: createEchoHandler(log, processor), close: async () => {} };
}
