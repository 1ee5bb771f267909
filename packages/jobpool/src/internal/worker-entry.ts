/**
 * The module piscina actually runs. It loads the user's worker module (path in
 * `IOCP_JOBPOOL_MODULE`, set by the pool in the worker's env) and runs one **batch** of jobs per
 * piscina task: the user's default export is called once per payload, in order, each call
 * awaited before the next (so jobs of one key in one batch run in submission order). A throw
 * becomes that job's failure record (see `failure.ts`) in its slot; the other jobs are not
 * affected. The task's result is the array of per-job results, followed by one extra element:
 * the batch's run time in ms (the pool sizes later batches with it).
 *
 * A job result carrying piscina's transferable symbols (what `move(value)` returns) is unwrapped
 * into its value and its transferables are moved with the whole batch's result, so transfers
 * work per job exactly as they would for a task of its own.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { toFailureRecord } from './failure.js';

type JobFunction = (payload: unknown) => unknown;

let job: JobFunction | undefined;
let loadFailure: unknown;

async function load(): Promise<void> {
  const target = process.env.IOCP_JOBPOOL_MODULE;
  try {
    if (target === undefined || target === '') throw new Error('IOCP_JOBPOOL_MODULE is not set');
    const url = target.startsWith('file:') ? target : pathToFileURL(target).href;
    const mod = (await import(url)) as { default?: unknown };
    const fn = await mod.default;
    if (typeof fn !== 'function') throw new Error(`${target} has no default-exported function`);
    job = fn as JobFunction;
  } catch (error) {
    loadFailure = error;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isTransferable(value: unknown): value is Record<symbol, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    transferableSymbol in (value as object) &&
    valueSymbol in (value as object)
  );
}

/** Add `item` (one transferable, or a list of them) to `list`, skipping duplicates. */
function addTransfer(list: unknown[], item: unknown): void {
  if (Array.isArray(item)) {
    for (const one of item) if (!list.includes(one)) list.push(one);
  } else if (item !== undefined && item !== null && !list.includes(item)) {
    list.push(item);
  }
}

/**
 * Run one batch of jobs of the user's module, in order. Returns the per-job results (a failure
 * record in the slot of a job that threw) and the run time in ms, or one `module` failure record for the whole batch
 * when the user's module cannot be loaded.
 */
export default async function runBatch(payloads: readonly unknown[]): Promise<unknown> {
  if (job === undefined) {
    if (loadFailure === undefined) await load();
    if (job === undefined) return toFailureRecord('module', loadFailure);
  }
  const fn = job;
  const n = payloads.length;
  const results = new Array<unknown>(n + 1);
  const start = performance.now();
  let transfer: unknown[] | undefined;
  for (let i = 0; i < n; i++) {
    try {
      let result = fn(payloads[i]);
      if (isThenable(result)) result = await result;
      if (isTransferable(result)) {
        if (transfer === undefined) transfer = [];
        addTransfer(transfer, result[transferableSymbol]);
        result = result[valueSymbol];
      }
      results[i] = result;
    } catch (error) {
      results[i] = toFailureRecord('job', error);
    }
  }
  results[n] = performance.now() - start;
  if (transfer === undefined) return results;
  return move({ [transferableSymbol]: transfer, [valueSymbol]: results } as unknown as Parameters<typeof move>[0]);
}
