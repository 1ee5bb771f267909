/**
 * The module piscina actually runs. It loads the user's worker module (path in
 * `IOCP_JOBPOOL_MODULE`, set by the pool in the worker's env), calls its default export per job,
 * and turns a throw into a failure record (see `failure.ts`). A successful result — including a
 * piscina `move()` wrapper — is returned unchanged, so transfers still work.
 */
import { pathToFileURL } from 'node:url';
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

/** Run one job of the user's module. */
export default async function runJob(payload: unknown): Promise<unknown> {
  if (job === undefined) {
    if (loadFailure === undefined) await load();
    if (job === undefined) return toFailureRecord('module', loadFailure);
  }
  try {
    return await job(payload);
  } catch (error) {
    return toFailureRecord('job', error);
  }
}
