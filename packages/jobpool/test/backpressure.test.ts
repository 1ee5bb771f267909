import { afterEach, describe, expect, it } from 'vitest';
import { JobPool, KeyFullError, QueueFullError } from '../src/index.js';
import { JOBS, type Op, Pools, Recorder, turn } from './helpers.js';

const pools = new Pools();
afterEach(() => pools.closeAll());

function pressure<K>(rec: Recorder<K>, key: K): boolean[] {
  return rec.events.flatMap((e) => (e.type === 'pressure' && e.key === key ? [e.paused] : []));
}

describe('JobPool: per-key backpressure', () => {
  it('signals at the high watermark, refuses at max, resumes at the low watermark', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        handler: rec,
        perKey: { max: 8, highWaterMark: 4, lowWaterMark: 1 },
      }),
    );
    const accepted: boolean[] = [];
    // The first job holds the only thread long enough for the key to fill up.
    accepted.push(pool.submit('k', { op: 'sleep', ms: 300, value: 0 }));
    for (let i = 1; i < 8; i++) accepted.push(pool.submit('k', { op: 'echo', value: i }));
    expect(accepted).toEqual([true, true, true, false, false, false, false, false]);
    expect(pressure(rec, 'k')).toEqual([true]);
    expect(pool.isPaused('k')).toBe(true);
    expect(pool.inFlight('k')).toBe(8);
    let caught: unknown;
    try {
      pool.submit('k', { op: 'echo', value: 8 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KeyFullError);
    expect((caught as KeyFullError).code).toBe('IOCP_ERR_JOB_KEY_FULL');
    expect(pool.inFlight('k')).toBe(8);
    // Other keys are not affected by this key's pressure.
    expect(pool.submit('other', { op: 'echo', value: 'o' })).toBe(true);
    await rec.until(() => pressure(rec, 'k').length === 2);
    expect(pressure(rec, 'k')).toEqual([true, false]);
    // Resumed at the low watermark: at most 1 job of the key still in flight.
    expect(pool.inFlight('k')).toBeLessThanOrEqual(1);
    await rec.until(() => rec.deliveries('k').length === 8);
    expect(rec.deliveries('k').map((e) => (e.type === 'result' ? e.value : null))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pool.submit('k', { op: 'echo', value: 'again' })).toBe(true);
    expect(pool.stats().pausedKeys).toBe(0);
  });

  it('a flooding client is held to perKey.max jobs: memory stays bounded', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        maxBatch: 1,
        handler: rec,
        perKey: { max: 16, highWaterMark: 8, lowWaterMark: 2 },
      }),
    );
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      try {
        pool.submit('flood', { op: 'sleep', ms: 50, value: i });
      } catch (error) {
        expect((error as KeyFullError).code).toBe('IOCP_ERR_JOB_KEY_FULL');
        refused++;
      }
    }
    expect(refused).toBe(1000 - 16);
    expect(pool.stats().inFlight).toBe(16);
    // Nothing leaves before the end of the turn.
    expect(pool.stats().queued).toBe(16);
    await turn();
    // capacity = 1 thread + 1 prefetched batch of (here) one job: 2 handed to piscina, the rest
    // in the pool's queue.
    expect(pool.stats().running).toBe(2);
    expect(pool.stats().queued).toBe(14);
  });
});

describe('JobPool: pool-wide backpressure', () => {
  it('pauses submitting keys at queue.highWaterMark, refuses at queue.max, resumes all at the low mark', async () => {
    const rec = new Recorder<string>();
    const pool = pools.track(
      new JobPool<Op, unknown, string>({
        filename: JOBS,
        threads: 1,
        handler: rec,
        queue: { max: 6, highWaterMark: 4, lowWaterMark: 1 },
      }),
    );
    expect(pool.submit('a', { op: 'sleep', ms: 300, value: 'a0' })).toBe(true);
    expect(pool.submit('b', { op: 'echo', value: 'b0' })).toBe(true);
    expect(pool.submit('a', { op: 'echo', value: 'a1' })).toBe(true);
    // Fourth job overall reaches the pool's high watermark: the submitting key is paused.
    expect(pool.submit('b', { op: 'echo', value: 'b1' })).toBe(false);
    expect(pressure(rec, 'b')).toEqual([true]);
    expect(pressure(rec, 'a')).toEqual([]);
    expect(pool.submit('a', { op: 'echo', value: 'a2' })).toBe(false);
    expect(pressure(rec, 'a')).toEqual([true]);
    expect(pool.submit('c', { op: 'echo', value: 'c0' })).toBe(false);
    let caught: unknown;
    try {
      pool.submit('d', { op: 'echo', value: 'd0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(QueueFullError);
    expect((caught as QueueFullError).code).toBe('IOCP_ERR_JOB_QUEUE_FULL');
    expect(pool.stats().pausedKeys).toBe(3);
    await rec.until(() => pool.stats().pausedKeys === 0);
    expect(pressure(rec, 'a')).toEqual([true, false]);
    expect(pressure(rec, 'b')).toEqual([true, false]);
    expect(pressure(rec, 'c')).toEqual([true, false]);
    expect(pool.stats().inFlight).toBeLessThanOrEqual(1);
    await rec.until(() => pool.stats().inFlight === 0);
    expect(pool.stats().completed).toBe(6);
    // Idle implicit keys are forgotten once resumed.
    expect(pool.stats().keys).toBe(0);
  });
});

describe('JobPool: pressure and cancellation', () => {
  it('a paused key that is cancelled (or force-closed) gets a last onPressure(false), no results', async () => {
    const rec = new Recorder<string>();
    const pool = new JobPool<Op, unknown, string>({
      filename: JOBS,
      threads: 1,
      handler: rec,
      perKey: { max: 4, highWaterMark: 2, lowWaterMark: 0 },
    });
    pool.submit('a', { op: 'sleep', ms: 200, value: 1 });
    pool.submit('a', { op: 'sleep', ms: 200, value: 2 });
    pool.submit('b', { op: 'sleep', ms: 200, value: 3 });
    expect(pool.submit('b', { op: 'sleep', ms: 200, value: 4 })).toBe(false);
    expect(pressure(rec, 'a')).toEqual([true]);
    pool.cancelKey('a');
    expect(pressure(rec, 'a')).toEqual([true, false]);
    await pool.close({ force: true });
    expect(pressure(rec, 'b')).toEqual([true, false]);
    expect(rec.events.filter((e) => e.type !== 'pressure')).toEqual([]);
  });
});
