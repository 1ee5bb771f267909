import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { JobPool } from '../src/index.js';
import { Gate, JOBS, type Op, Pools, Recorder } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

describe('JobPool: keyed ordering', () => {
  it('keeps per-key order for random job durations across many keys', async () => {
    const rec = new Recorder<number>();
    const pool = pools.track(
      // Small batches and room for two per key: a key has batches on both threads at once.
      new JobPool<Op, unknown, number>({ filename: JOBS, threads: 2, prefetch: 6, maxBatch: 4, handler: rec }),
    );
    // Deterministic "random" durations from fast-check's generator.
    const [durations] = fc.sample(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 300, maxLength: 300 }), {
      numRuns: 1,
      seed: 42,
    });
    const KEYS = 4;
    const PER_KEY = 60;
    let n = 0;
    for (let i = 0; i < PER_KEY; i++) {
      for (let key = 0; key < KEYS; key++) {
        pool.submit(key, { op: 'spin', ms: durations![n++ % durations!.length]! * 0.5, value: i });
      }
    }
    await pool.close();
    for (let key = 0; key < KEYS; key++) {
      const got = rec.deliveries(key);
      expect(got.map((e) => (e.type === 'result' ? e.value : 'error'))).toEqual(
        Array.from({ length: PER_KEY }, (_, i) => i),
      );
      expect(got.map((e) => (e.type === 'pressure' ? -1 : e.seq))).toEqual(
        Array.from({ length: PER_KEY }, (_, i) => i),
      );
    }
    const stats = pool.stats();
    expect(stats.completed).toBe(KEYS * PER_KEY);
    expect(stats.inFlight).toBe(0);
    expect(stats.latencyUs.count).toBe(KEYS * PER_KEY);
    // Jobs really finished out of order (two threads, random durations): the reorderer worked.
    expect(stats.reordered).toBeGreaterThan(0);
  });

  it('holds a fast result behind a slow earlier job of the same key', async () => {
    const rec = new Recorder<string>();
    const gate = new Gate();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec, workerData: { gate: gate.buffer } }),
    );
    pool.submit('k', { op: 'gate', value: 'slow' });
    pool.submit('k', { op: 'echo', value: 'fast' });
    // The fast job finishes first but waits: stats show it as waiting for order.
    const waitingSeen = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (pool.stats().waiting === 1) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    await waitingSeen;
    expect(rec.deliveries('k')).toEqual([]);
    gate.open();
    await rec.until(() => rec.deliveries('k').length === 2);
    expect(rec.deliveries('k').map((e) => (e.type === 'result' ? e.value : null))).toEqual(['slow', 'fast']);
  });

  it('a slow key does not delay another key', async () => {
    const rec = new Recorder<string>();
    const gate = new Gate();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec, workerData: { gate: gate.buffer } }),
    );
    pool.submit('slow', { op: 'gate', value: 0 });
    for (let i = 1; i <= 3; i++) pool.submit('slow', { op: 'echo', value: i });
    for (let i = 0; i < 30; i++) pool.submit('fast', { op: 'echo', value: i });
    await rec.until(() => rec.deliveries('fast').length === 30);
    // Every fast result arrived while the slow key still waits for its first job.
    expect(rec.deliveries('slow')).toEqual([]);
    gate.open();
    await rec.until(() => rec.deliveries('slow').length === 4);
    expect(rec.deliveries('slow').map((e) => (e.type === 'result' ? e.value : null))).toEqual([0, 1, 2, 3]);
  });

  it('dispatches queued jobs round-robin over keys', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1, prefetch: 0, maxBatch: 1, handler: rec }),
    );
    for (let i = 0; i < 40; i++) pool.submit('flood', { op: 'spin', ms: 5, value: i });
    pool.submit('single', { op: 'echo', value: 'x' });
    await rec.until(() => rec.deliveries('single').length === 1);
    // FIFO would run all 40 flood jobs first; round-robin runs the single job after at most
    // the one flood job already running plus one more.
    expect(rec.deliveries('flood').length).toBeLessThanOrEqual(2);
  });

  it('keeps sequence numbers continuous for an opened key across idle periods', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 1 }));
    pool.openKey('k', rec);
    pool.submit('k', { op: 'echo', value: 'a' });
    await rec.until(() => rec.deliveries('k').length === 1);
    pool.submit('k', { op: 'echo', value: 'b' });
    pool.submit('k', { op: 'echo', value: 'c' });
    await rec.until(() => rec.deliveries('k').length === 3);
    expect(rec.deliveries('k').map((e) => (e.type === 'result' ? e.seq : -1))).toEqual([0, 1, 2]);
    expect(pool.stats().keys).toBe(1);
  });

  it('forgets implicit keys once idle (memory bounded by active keys)', async () => {
    const rec = new Recorder<number>();
    const pool = pools.track(new JobPool<Op, unknown, number>({ filename: JOBS, threads: 1, handler: rec }));
    for (let key = 0; key < 50; key++) pool.submit(key, { op: 'echo', value: key });
    await rec.until(() => rec.events.length === 50);
    expect(pool.stats().keys).toBe(0);
  });
});
