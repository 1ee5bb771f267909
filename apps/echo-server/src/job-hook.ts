import type { ServerConfig } from './cli.js';
import { UsageError } from './errors.js';

/**
 * HOOK POINT for @iocp/jobpool (`--jobs N`, `--job-cost-us U`).
 *
 * The echo handler asks this module once, at startup, for a processor. With no processor the
 * server echoes each frame straight back (the fast path, no promise, no closure per frame).
 * With one, each frame goes through `process()` and the reply is what it resolves to; the
 * transport keeps per-connection order because the handler returns that promise.
 *
 * To wire the job pool: return a processor whose `process()` submits the frame (and
 * `jobCostUs`) to the pool keyed by connection, and whose `close()` drains the pool. Nothing
 * else in the app needs to change.
 */
export interface FrameProcessor {
  /** Turn one received frame (or raw chunk) into the bytes to echo. */
  process(frame: Buffer): Buffer | Promise<Buffer>;
  /** Release threads and timers; called once during shutdown after the port closed. */
  close(): Promise<void>;
}

/** Busy-wait `us` microseconds on the calling thread: the cost a job would have. */
function spin(us: number): void {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  while (process.hrtime.bigint() < end) {
    // burn CPU on purpose: this is the simulated work
  }
}

/** Inline processor: runs the simulated cost on the I/O thread (the baseline the pool must beat). */
class InlineCostProcessor implements FrameProcessor {
  constructor(private readonly costUs: number) {}

  process(frame: Buffer): Buffer {
    spin(this.costUs);
    return frame;
  }

  async close(): Promise<void> {}
}

/**
 * The processor for this configuration, or `undefined` for a plain echo.
 * @throws {@link UsageError} when `--jobs` asks for a pool this build does not wire yet.
 */
export function createFrameProcessor(config: Pick<ServerConfig, 'jobs' | 'jobCostUs'>): FrameProcessor | undefined {
  if (config.jobs > 0) {
    throw new UsageError('--jobs needs @iocp/jobpool, which this build of echo-server does not wire yet; use --jobs 0');
  }
  return config.jobCostUs > 0 ? new InlineCostProcessor(config.jobCostUs) : undefined;
}
