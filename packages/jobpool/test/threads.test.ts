import { afterEach, describe, expect, it } from 'vitest';
import { JobPool } from '../src/index.js';
import { eventually } from './fake-connection.js';
import { JOBS, type Op, Pools, Recorder } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

describe('JobPool: threads and stats', () => {
  it('starts threads on demand and lets idle threads above minThreads exit after idleTimeoutMs', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, minThreads: 0, idleTimeoutMs: 50, handler: rec }),
    );
    pool.submit('a', { op: 'sleep', ms: 100, value: 1 });
    pool.submit('b', { op: 'sleep', ms: 100, value: 2 });
    await rec.until(() => rec.events.length === 2);
    expect(pool.stats().threads).toBeGreaterThan(0);
    await eventually(() => pool.stats().threads === 0);
    // And the pool still serves afterwards.
    pool.submit('a', { op: 'echo', value: 3 });
    await rec.until(() => rec.events.length === 3);
  });

  it('reports counts and submit-to-delivery latency', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, handler: rec }));
    pool.submit('k', { op: 'sleep', ms: 30, value: 1 });
    pool.submit('k', { op: 'throw', value: 'x' });
    pool.submit('j', { op: 'echo', value: 2 });
    await rec.until(() => rec.events.length === 3);
    const s = pool.stats();
    expect([s.submitted, s.completed, s.failed, s.cancelled, s.inFlight]).toEqual([3, 2, 1, 0, 0]);
    expect(s.latencyUs.count).toBe(3);
    // The sleeping job took at least 30 ms from submit to delivery.
    expect(s.latencyUs.max).toBeGreaterThanOrEqual(30_000);
    expect(s.latencyUs.min).toBeGreaterThan(0);
    expect(s.latencyUs.p99).toBeGreaterThanOrEqual(s.latencyUs.p50);
  });
});
