import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_WORKER_PATH, JobPool, type WorkerDiedError } from '../src/index.js';
import { JOBS, type Op, Pools, Recorder, turn } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

function summary(rec: Recorder<string>, key: string): unknown[] {
  return rec.deliveries(key).map((e) => (e.type === 'result' ? e.value : e.type === 'error' ? e.error.code : null));
}

describe('JobPool: micro-batching', () => {
  it('sends a burst of one turn as a few batches, not one task per job; stats count jobs', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec }));
    // Warm-up: the first batch measures the job time that sizes later batches.
    pool.submit('warm', { op: 'echo', value: 0 });
    await rec.until(() => rec.deliveries('warm').length === 1);
    const before = pool.stats().batches;
    for (let i = 0; i < 50; i++) {
      for (const key of ['a', 'b', 'c', 'd']) pool.submit(key, { op: 'echo', value: i });
    }
    await rec.until(() => pool.stats().inFlight === 0);
    const stats = pool.stats();
    const batches = stats.batches - before;
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(batches).toBeLessThan(50);
    expect(stats.submitted).toBe(201);
    expect(stats.completed).toBe(201);
    expect(stats.latencyUs.count).toBe(201);
    expect(stats.meanBatchSize).toBeCloseTo(201 / stats.batches, 6);
    expect(stats.meanBatchSize).toBeGreaterThan(1);
    for (const key of ['a', 'b', 'c', 'd']) {
      expect(summary(rec, key)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
  });

  it('sends a lone job at the end of its turn, without waiting for more', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec }));
    pool.submit('k', { op: 'sleep', ms: 50, value: 'lone' });
    expect(pool.stats().queued).toBe(1);
    expect(pool.stats().batches).toBe(0);
    await turn();
    expect(pool.stats().queued).toBe(0);
    expect(pool.stats().running).toBe(1);
    expect(pool.stats().batches).toBe(1);
    await rec.until(() => rec.deliveries('k').length === 1);
    expect(summary(rec, 'k')).toEqual(['lone']);
  });

  it('caps a batch at maxBatch jobs', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, maxBatch: 4, maxBatchUs: 0, handler: rec }),
    );
    for (let i = 0; i < 10; i++) pool.submit('k', { op: 'echo', value: i });
    await rec.until(() => pool.stats().inFlight === 0);
    // 4 + 4 + 2, the key's jobs in order.
    expect(pool.stats().batches).toBe(3);
    expect(summary(rec, 'k')).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('a throwing job inside a batch fails only itself, in its place', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, prefetch: 0, maxBatchUs: 0, handler: rec }),
    );
    pool.submit('k', { op: 'echo', value: 'a' });
    pool.submit('k', { op: 'throw', value: 'x' });
    pool.submit('k', { op: 'echo', value: 'c' });
    pool.submit('k', { op: 'echo', value: 'd' });
    await rec.until(() => rec.deliveries('k').length === 4);
    expect(pool.stats().batches).toBe(1);
    expect(summary(rec, 'k')).toEqual(['a', 'IOCP_ERR_JOB_FAILED', 'c', 'd']);
    expect(rec.deliveries('k').map((e) => (e.type === 'pressure' ? -1 : e.seq))).toEqual([0, 1, 2, 3]);
    expect(pool.stats().failed).toBe(1);
    expect(pool.stats().completed).toBe(3);
  });

  it('a worker death fails the jobs of its batch (one key); another key and later batches are unaffected', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, prefetch: 0, maxBatchUs: 0, handler: rec }),
    );
    // Two batches at the end of the turn: ['survivor'] and ['exit', 'same batch'].
    pool.submit('other', { op: 'sleep', ms: 100, value: 'survivor' });
    pool.submit('k', { op: 'exit' });
    pool.submit('k', { op: 'echo', value: 'same batch' });
    await rec.until(() => rec.deliveries('k').length === 2 && rec.deliveries('other').length === 1);
    expect(summary(rec, 'k')).toEqual(['IOCP_ERR_JOB_WORKER_DIED', 'IOCP_ERR_JOB_WORKER_DIED']);
    const died = rec.deliveries('k')[1];
    expect(died?.type === 'error' && (died.error as WorkerDiedError).reason).toBe('exit');
    expect(summary(rec, 'other')).toEqual(['survivor']);
    pool.submit('k', { op: 'echo', value: 'later' });
    await rec.until(() => rec.deliveries('k').length === 3);
    expect(summary(rec, 'k')[2]).toBe('later');
  });

  it('moves every listed buffer of a batch there, and every moved result back', async () => {
    const received: Uint8Array[] = [];
    const pool = pools.track(
      new JobPool<Uint8Array, Uint8Array, number>({
        filename: ECHO_WORKER_PATH,
        threads: 1,
        prefetch: 0,
        maxBatchUs: 0,
        handler: {
          onResult: (_key, result) => received.push(result),
          onError: (_key, error) => {
            throw error;
          },
        },
      }),
    );
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const f = new Uint8Array([i, i, i]);
      frames.push(f);
      pool.submit(0, f, [f.buffer]);
    }
    // One buffer listed by two jobs is transferred once (a duplicate would fail the postMessage).
    const shared = new Uint8Array([9, 9]);
    pool.submit(0, shared, [shared.buffer]);
    pool.submit(0, new Uint8Array(0), [shared.buffer]);
    await turn();
    expect(pool.stats().batches).toBe(1);
    expect(frames.every((f) => f.byteLength === 0)).toBe(true);
    expect(shared.byteLength).toBe(0);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (pool.stats().inFlight === 0) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    expect(received.map((r) => [...r])).toEqual([[0, 0, 0], [1, 1, 1], [2, 2, 2], [9, 9], []]);
    expect(pool.stats().failed).toBe(0);
  });
});
