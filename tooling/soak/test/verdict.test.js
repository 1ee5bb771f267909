import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANDLES_TOLERANCE, RSS_TOLERANCE, chaosPlan, failures, growth } from '../lib/verdict.js';

test('chaos periods: a minute for long runs, a quarter of the run for short ones', () => {
  assert.deepEqual(chaosPlan(30), { runMs: 1_800_000, killEveryMs: 60_000, stopEveryMs: 60_000, stopForMs: 3_000 });
  assert.equal(chaosPlan(1).killEveryMs, 15_000);
  assert.equal(chaosPlan(0.05).killEveryMs, 5_000);
});

test('growth: first third against last third, with the stated tolerance', () => {
  const flat = Array.from({ length: 30 }, (_, i) => ({ t: i, value: 100 + (i % 3) }));
  assert.equal(growth(flat, RSS_TOLERANCE.factor, 0).ok, true);
  const leak = Array.from({ length: 30 }, (_, i) => ({ t: i, value: 100 + i * 10 }));
  const g = growth(leak, 1.5, 0);
  assert.equal(g.judged, true);
  assert.equal(g.ok, false);
  assert.ok(g.last > g.limit);
  assert.equal(growth(leak.slice(0, 5), 1.5, 0).judged, false);
  assert.equal(growth(leak, HANDLES_TOLERANCE.factor, 10_000).ok, true);
});

test('failures: every broken check is named; a clean run has none', () => {
  const clean = { echoMismatches: 0, filesCorrupted: 0, filesLost: 0, primaryCrashes: [], growth: { rss: { ok: true } }, okEchoes: 5, filesVerified: 2 };
  assert.deepEqual(failures(clean), []);
  const bad = { ...clean, echoMismatches: 1, filesLost: 2, primaryCrashes: ['file-server exited 1'], growth: { 'echo rss': { ok: false, first: 1, last: 9, limit: 2 } } };
  assert.deepEqual(failures(bad), ['1 echo mismatch(es)', '2 lost file(s)', 'crash: file-server exited 1', 'echo rss grew from 1 to 9 (limit 2)']);
});
