import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPool } from '../src/index.js';
import { eventually } from './fake-connection.js';
import { JOBS, type Op, Recorder } from './helpers.js';

// One pool for every generated scenario (threads start once); keys are unique per run.
let pool: JobPool<Op, unknown, string>;
const rec = new Recorder<string>();
beforeAll(() => {
  pool = new JobPool<Op, unknown, string>({ filename: JOBS, threads: 2, prefetch: 1, handler: rec });
});
afterAll(() => pool.close({ force: true }));

const step = fc.record({
  key: fc.integer({ min: 0, max: 4 }),
  kind: fc.constantFrom('ok', 'ok', 'ok', 'throw'),
  ms: fc.integer({ min: 0, max: 3 }),
  cancelAfter: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

let run = 0;

describe('JobPool: ordering under random jobs, failures and cancellations (property)', () => {
  it('delivers each key in submission order, errors in place, nothing after a cancel', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        run++;
        const submitted = new Map<string, ('ok' | 'throw')[]>();
        const cancelledAt = new Map<string, number>();
        for (const s of steps) {
          const key = `r${run}k${s.key}`;
          if (cancelledAt.has(key)) continue;
          const list = submitted.get(key) ?? [];
          submitted.set(key, list);
          list.push(s.kind as 'ok' | 'throw');
          pool.submit(key, { op: s.kind === 'ok' ? 'spin' : 'throw', ms: s.ms / 2, value: list.length - 1 });
          if (s.cancelAfter) {
            pool.cancelKey(key);
            cancelledAt.set(key, list.length);
          }
        }
        await eventually(() => pool.stats().inFlight === 0);
        for (const [key, kinds] of submitted) {
          const got = rec.deliveries(key);
          const cancelled = cancelledAt.has(key);
          // A cancelled key got a prefix (possibly empty) of its jobs; the others got all of them.
          if (!cancelled) expect(got.length).toBe(kinds.length);
          else expect(got.length).toBeLessThanOrEqual(kinds.length);
          got.forEach((e, i) => {
            if (e.type === 'pressure') throw new Error('unexpected pressure event');
            expect(e.seq).toBe(i);
            if (kinds[i] === 'ok') expect(e.type === 'result' && e.value).toBe(i);
            else expect(e.type === 'error' && e.error.code).toBe('IOCP_ERR_JOB_FAILED');
          });
        }
      }),
      { numRuns: 25 },
    );
    const s = pool.stats();
    expect(s.submitted).toBe(s.completed + s.failed + s.cancelled);
  }, 60_000);
});
