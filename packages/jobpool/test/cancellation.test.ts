import { afterEach, describe, expect, it } from 'vitest';
import { JobPool } from '../src/index.js';
import { Gate, JOBS, type Op, Pools, Recorder, turn } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

describe('JobPool: cancelKey', () => {
  it('drops queued jobs without running them and delivers nothing more for the key', async () => {
    const started = new SharedArrayBuffer(4);
    const count = new Int32Array(started);
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 2,
        prefetch: 0,
        maxBatch: 1,
        handler: rec,
        workerData: { started },
      }),
    );
    for (let i = 0; i < 10; i++) pool.submit('gone', { op: 'sleep', ms: 200, value: i });
    await turn();
    expect(pool.stats().queued).toBe(8);
    expect(pool.stats().running).toBe(2);
    expect(pool.cancelKey('gone')).toBe(10);
    expect(pool.stats().queued).toBe(0);
    expect(pool.cancelKey('gone')).toBe(0);
    // Another key keeps working, and runs once the two dropped jobs free their threads.
    pool.submit('alive', { op: 'echo', value: 'ok' });
    await rec.until(() => rec.deliveries('alive').length === 1);
    await rec.until(() => pool.stats().inFlight === 0);
    expect(rec.deliveries('gone')).toEqual([]);
    // Only the two jobs already on a thread ever started, plus the 'alive' one.
    expect(Atomics.load(count, 0)).toBe(3);
    const stats = pool.stats();
    expect(stats.cancelled).toBe(10);
    expect(stats.completed).toBe(1);
  });

  it('drops results already finished but waiting for order', async () => {
    const rec = new Recorder<string>();
    const gate = new Gate();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec, workerData: { gate: gate.buffer } }),
    );
    pool.submit('k', { op: 'gate', value: 'slow' });
    pool.submit('k', { op: 'echo', value: 'fast' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (pool.stats().waiting === 1) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(pool.cancelKey('k')).toBe(2);
    expect(pool.stats().waiting).toBe(0);
    gate.open();
    await rec.until(() => pool.stats().inFlight === 0);
    expect(rec.events).toEqual([]);
  });

  it('a key submitted again after cancel starts fresh at seq 0', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec }));
    pool.submit('k', { op: 'sleep', ms: 100, value: 'old' });
    pool.cancelKey('k');
    pool.submit('k', { op: 'echo', value: 'new' });
    await rec.until(() => pool.stats().inFlight === 0);
    expect(rec.deliveries('k')).toEqual([{ type: 'result', key: 'k', value: 'new', seq: 0 }]);
  });

  it("with cancelRunning 'abort', aborts running jobs through piscina's AbortSignal", async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec, cancelRunning: 'abort' }),
    );
    // Warm the thread up so the job below really runs when we cancel.
    pool.submit('warm', { op: 'echo', value: 1 });
    await rec.until(() => rec.events.length === 1);
    pool.submit('long', { op: 'spin', ms: 20_000, value: 'never' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = Date.now();
    expect(pool.cancelKey('long')).toBe(1);
    // The thread was terminated and replaced: a new job runs long before 20 s.
    pool.submit('next', { op: 'echo', value: 'served' });
    await rec.until(() => rec.deliveries('next').length === 1);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(rec.deliveries('long')).toEqual([]);
    await rec.until(() => pool.stats().inFlight === 0);
  });

  it("with cancelRunning 'abort', many jobs of one key share one signal without leak warnings", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const rec = new Recorder<string>();
      const pool = pools.track(
        new JobPool<Op, unknown, string>({
          filename: JOBS,
          threads: 2,
          prefetch: 14,
          handler: rec,
          cancelRunning: 'abort',
        }),
      );
      for (let i = 0; i < 16; i++) pool.submit('k', { op: 'echo', value: i });
      await rec.until(() => rec.deliveries('k').length === 16);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('with prefetch, a cancelled key drops at most `prefetch` jobs already handed to piscina', async () => {
    const started = new SharedArrayBuffer(4);
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        prefetch: 2,
        maxBatch: 1,
        handler: rec,
        workerData: { started },
      }),
    );
    expect(pool.capacity).toBe(3);
    for (let i = 0; i < 10; i++) pool.submit('gone', { op: 'sleep', ms: 50, value: i });
    await turn();
    expect(pool.stats().running).toBe(3);
    expect(pool.stats().queued).toBe(7);
    expect(pool.cancelKey('gone')).toBe(10);
    await rec.until(() => pool.stats().inFlight === 0);
    expect(Atomics.load(new Int32Array(started), 0)).toBeLessThanOrEqual(3);
    expect(rec.events).toEqual([]);
  });

  it("with cancelRunning 'drop' (default), running jobs finish and their results are dropped", async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec }));
    pool.submit('k', { op: 'sleep', ms: 100, value: 'x' });
    await turn();
    pool.cancelKey('k');
    expect(pool.stats().running).toBe(1);
    expect(pool.stats().inFlight).toBe(1);
    await rec.until(() => pool.stats().running === 0);
    expect(pool.stats().inFlight).toBe(0);
    expect(rec.events).toEqual([]);
  });
});

describe('JobPool: close', () => {
  it('delivers every accepted job before closing, then refuses new work', async () => {
    const rec = new Recorder<string>();
    const pool = new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec });
    for (let i = 0; i < 20; i++) pool.submit(`k${i % 3}`, { op: 'spin', ms: 1, value: i });
    const closing = pool.close();
    expect(pool.close()).toBe(closing);
    expect(() => pool.submit('k0', { op: 'echo' })).toThrowError(expect.objectContaining({ code: 'IOCP_ERR_JOB_POOL_CLOSED' }));
    expect(() => pool.openKey('z', rec)).toThrowError(expect.objectContaining({ code: 'IOCP_ERR_JOB_POOL_CLOSED' }));
    await closing;
    expect(rec.events.filter((e) => e.type === 'result').length).toBe(20);
  });

  it('force-close drops everything and resolves without waiting for jobs', async () => {
    const rec = new Recorder<string>();
    const pool = new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, handler: rec });
    for (let i = 0; i < 5; i++) pool.submit('k', { op: 'sleep', ms: 10_000, value: i });
    const t0 = Date.now();
    await pool.close({ force: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(rec.events).toEqual([]);
    expect(pool.stats().cancelled).toBe(5);
  });
});
