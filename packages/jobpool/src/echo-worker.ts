/**
 * The echo job used by `echo-server --jobs N --job-cost-us U`: burns about `costUs`
 * microseconds of CPU — a random amount in `[0.5 × costUs, 1.5 × costUs)`, so jobs finish out of
 * order — then returns the frame it was given, transferred back (no copy).
 *
 * Configure through the pool's `workerData`: `{ costUs: number }` (default 0 = no burn).
 * Import path: `@iocp/jobpool/echo-worker` (or the `ECHO_WORKER_PATH` constant).
 */
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';

const configured = (workerData as { costUs?: unknown } | null | undefined)?.costUs;
const costUs = typeof configured === 'number' && configured > 0 ? configured : 0;

/** Spin until `us` microseconds of wall time have passed; returns the loop count. */
function burn(us: number): number {
  const end = performance.now() + us / 1000;
  let spins = 0;
  while (performance.now() < end) spins++;
  return spins;
}

/** Echo `frame` after about `costUs` µs of CPU work. */
export default function echo(frame: Uint8Array): unknown {
  if (costUs > 0) burn(costUs * (0.5 + Math.random()));
  // Hand the bytes back without a copy. An empty frame has nothing worth transferring.
  return frame.byteLength > 0 && ArrayBuffer.isView(frame) ? move(frame) : frame;
}
