import { afterEach, describe, expect, it } from 'vitest';
import { JobFailedError, JobModuleError, JobPool, WorkerDiedError } from '../src/index.js';
import { JOBS, NO_DEFAULT, type Op, Pools, Recorder, turn } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

function summary(rec: Recorder<string>, key: string): unknown[] {
  return rec.deliveries(key).map((e) => (e.type === 'result' ? e.value : e.type === 'error' ? e.error.code : null));
}

describe('JobPool: failures', () => {
  it('a throwing job yields an error in its place; its neighbours are unaffected', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec }));
    pool.submit('k', { op: 'spin', ms: 20, value: 'a' });
    pool.submit('k', { op: 'throw', value: 'input' });
    pool.submit('k', { op: 'echo', value: 'c' });
    await rec.until(() => rec.deliveries('k').length === 3);
    expect(summary(rec, 'k')).toEqual(['a', 'IOCP_ERR_JOB_FAILED', 'c']);
    const failure = rec.deliveries('k')[1];
    if (failure?.type !== 'error') throw new Error('expected an error delivery');
    expect(failure.error).toBeInstanceOf(JobFailedError);
    expect(failure.seq).toBe(1);
    const cause = failure.error.cause as Error & { code?: string };
    expect(cause.message).toBe('bad input');
    expect(cause.name).toBe('TypeError');
    expect(cause.code).toBe('E_TEST');
    expect(pool.stats().failed).toBe(1);
    expect(pool.stats().completed).toBe(2);
  });

  it('a worker that calls process.exit fails only its job; the pool replaces it and keeps serving', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec }));
    pool.submit('other', { op: 'sleep', ms: 200, value: 'survivor' });
    pool.submit('k', { op: 'exit' });
    // A death fails its whole batch (one key's jobs of one turn): 'after' goes out in a later one.
    await turn();
    pool.submit('k', { op: 'echo', value: 'after' });
    await rec.until(() => rec.deliveries('k').length === 2 && rec.deliveries('other').length === 1);
    expect(summary(rec, 'k')).toEqual(['IOCP_ERR_JOB_WORKER_DIED', 'after']);
    const died = rec.deliveries('k')[0];
    if (died?.type !== 'error') throw new Error('expected an error delivery');
    expect(died.error).toBeInstanceOf(WorkerDiedError);
    expect((died.error as WorkerDiedError).reason).toBe('exit');
    expect(summary(rec, 'other')).toEqual(['survivor']);
    // Still two threads serving.
    for (let i = 0; i < 4; i++) pool.submit('more', { op: 'echo', value: i });
    await rec.until(() => rec.deliveries('more').length === 4);
    expect(pool.stats().threads).toBe(2);
  });

  it('an uncaught error inside a worker fails the job running there with reason "error"', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec }));
    pool.submit('k', { op: 'uncaught' });
    await turn();
    pool.submit('k', { op: 'echo', value: 'next' });
    await rec.until(() => rec.deliveries('k').length === 2);
    expect(summary(rec, 'k')).toEqual(['IOCP_ERR_JOB_WORKER_DIED', 'next']);
    const died = rec.deliveries('k')[0];
    expect(died?.type === 'error' && (died.error as WorkerDiedError).reason).toBe('error');
  });

  it('a worker over its resourceLimits is killed and replaced; its job fails with reason "resource-limit"', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        handler: rec,
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      }),
    );
    pool.submit('k', { op: 'oom' });
    await turn();
    pool.submit('k', { op: 'echo', value: 'alive' });
    await rec.until(() => rec.deliveries('k').length === 2);
    expect(summary(rec, 'k')).toEqual(['IOCP_ERR_JOB_WORKER_DIED', 'alive']);
    const died = rec.deliveries('k')[0];
    expect(died?.type === 'error' && (died.error as WorkerDiedError).reason).toBe('resource-limit');
  }, 30_000);

  it('threads that cannot even start: every job fails with IOCP_ERR_JOB_WORKER_DIED instead of waiting forever; close() resolves', async () => {
    const rec = new Recorder<string>();
    const pool = new JobPool<Op, unknown, string>({
      filename: JOBS,
      threads: 2,
      handler: rec,
      // Too small to boot a thread (the smallest heap accepted; below it Node 22+ aborts the whole
      // process): piscina gives up starting new ones after the first failure.
      resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 1 },
    });
    pool.submit('a', { op: 'echo', value: 1 });
    pool.submit('b', { op: 'echo', value: 2 });
    await rec.until(() => rec.deliveries('a').length === 1 && rec.deliveries('b').length === 1);
    // Later work is not stranded either: it tries a new thread, which fails the same way.
    pool.submit('a', { op: 'echo', value: 3 });
    await turn();
    pool.submit('a', { op: 'echo', value: 4 });
    pool.submit('c', { op: 'echo', value: 5 });
    await rec.until(() => rec.deliveries('a').length === 3 && rec.deliveries('c').length === 1);
    for (const key of ['a', 'b', 'c']) expect(summary(rec, key).every((c) => c === 'IOCP_ERR_JOB_WORKER_DIED')).toBe(true);
    const reasons = ['a', 'b', 'c'].flatMap((k) => rec.deliveries(k).map((d) => (d.type === 'error' ? (d.error as WorkerDiedError).reason : 'result')));
    expect(reasons.every((r) => r === 'resource-limit' || r === 'startup')).toBe(true);
    expect(reasons).toContain('startup');
    expect(pool.stats()).toMatchObject({ inFlight: 0, running: 0, failed: 5 });
    await pool.close();
  }, 30_000);

  it('a worker module without a default function fails every job with IOCP_ERR_JOB_MODULE', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: NO_DEFAULT, threads: 1, handler: rec }));
    pool.submit('k', { op: 'echo', value: 1 });
    pool.submit('k', { op: 'echo', value: 2 });
    await rec.until(() => rec.deliveries('k').length === 2);
    expect(summary(rec, 'k')).toEqual(['IOCP_ERR_JOB_MODULE', 'IOCP_ERR_JOB_MODULE']);
    const first = rec.deliveries('k')[0];
    expect(first?.type === 'error' && first.error).toBeInstanceOf(JobModuleError);
  });

  it('a handler that throws gets its key cancelled and reported; other keys continue', async () => {
    const reported: [unknown, unknown][] = [];
    const good = new Recorder<string>();
    let calls = 0;
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        onHandlerError: (key, error) => reported.push([key, error]),
      }),
    );
    pool.openKey('bad', {
      onResult() {
        calls++;
        throw new Error('handler bug');
      },
      onError() {},
    });
    pool.openKey('good', good);
    pool.submit('bad', { op: 'echo', value: 1 });
    pool.submit('bad', { op: 'echo', value: 2 });
    pool.submit('good', { op: 'echo', value: 'g' });
    await good.until(() => good.events.length === 1 && pool.stats().inFlight === 0);
    expect(calls).toBe(1);
    expect(reported.length).toBe(1);
    expect(reported[0]?.[0]).toBe('bad');
    expect((reported[0]?.[1] as Error).message).toBe('handler bug');
    expect(pool.stats().keys).toBe(1);
  });
});

describe('JobPool: zero-copy payloads', () => {
  it('transfers listed buffers to the worker (detached here, intact there)', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec }));
    const bytes = new Uint8Array([1, 2, 3, 4]);
    pool.submit('k', { op: 'bytes', value: bytes }, [bytes.buffer]);
    // Moved when its batch is dispatched, at the end of the turn.
    await turn();
    expect(bytes.byteLength).toBe(0);
    const copied = new Uint8Array([5, 5]);
    pool.submit('k', { op: 'bytes', value: copied });
    await rec.until(() => rec.deliveries('k').length === 2);
    expect(copied.byteLength).toBe(2);
    expect(summary(rec, 'k')).toEqual([
      { length: 4, sum: 10 },
      { length: 2, sum: 10 },
    ]);
  });
});
