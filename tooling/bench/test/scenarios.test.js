// The scenario set: stable ids (they key the json/md/svg), the targets of the issue, and the
// stress flags of the scenarios added for "Transport data path v2" (d1, f0, f1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_SETTLE_MS, SCENARIOS, scenarioSet } from '../lib/scenarios.js';

const byId = (id, set = SCENARIOS) => set.find((s) => s.id === id);
const target = (sc, key) => sc.metrics.find((m) => m.key === key)?.target;

describe('scenarios', () => {
  it('has the ids a b c d d1 e f0 f1 g h, in that order', () => {
    assert.deepEqual(
      SCENARIOS.map((s) => s.id),
      ['a', 'b', 'c', 'd', 'd1', 'e', 'f0', 'f1', 'g', 'h'],
    );
  });

  it('d (depth 4) must beat the baseline 1.5×; d1 (depth 1) has no target and a 2 s cap', () => {
    const d = byId('d');
    const d1 = byId('d1');
    assert.deepEqual(target(d, 'msgsPerSec'), { kind: 'ratio-min', value: 1.5, text: '≥ 1.5×' });
    assert.deepEqual(d.stressArgs(5).slice(0, 8), ['--mode', 'framed', '--connections', '1', '--depth', '4', '--size', '1048576']);
    assert.deepEqual(d1.stressArgs(2).slice(0, 8), ['--mode', 'framed', '--connections', '1', '--depth', '1', '--size', '1048576']);
    assert.deepEqual(
      d1.metrics.map((m) => [m.key, m.target]),
      [
        ['msgsPerSec', undefined],
        ['mibPerSec', undefined],
      ],
    );
    assert.equal(d1.maxDurationS, 2);
  });

  it('f0 never sends; f1 sends one 64-byte frame per connection, then idles; both ≤ the baseline', () => {
    const f0 = byId('f0');
    const f1 = byId('f1');
    for (const f of [f0, f1]) {
      assert.equal(f.kind, 'idle');
      assert.equal(f.connections, 10_000);
      assert.deepEqual(target(f, 'rssPerConn'), { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' });
      assert.ok(f.stressArgs(5).includes('--after-open'));
    }
    const a0 = f0.stressArgs(5).join(' ');
    assert.match(a0, /--connections 10000 --depth 0 /);
    assert.doesNotMatch(a0, /--per-conn/);
    const a1 = f1.stressArgs(5).join(' ');
    assert.match(a1, /--connections 10000 --depth 1 --per-conn 1 --size 64 /);
    assert.deepEqual(target(f1, 'idleRssPerConn'), { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' });
    assert.equal(f1.idleSampleMs, IDLE_SETTLE_MS);
    // The load holds the connections long enough after they are all open for the settled sample.
    const held = Number(f1.stressArgs(5)[f1.stressArgs(5).indexOf('--duration') + 1]) * 1000;
    assert.ok(held >= IDLE_SETTLE_MS + 1000, `held ${held} ms`);
  });

  it('scenarioSet sizes f0 and f1 and keeps the ids', () => {
    const small = scenarioSet({ idleConnections: 300 });
    assert.deepEqual(
      small.map((s) => s.id),
      SCENARIOS.map((s) => s.id),
    );
    assert.equal(byId('f1', small).connections, 300);
    assert.match(byId('f1', small).stressArgs(1).join(' '), /--connections 300 /);
    assert.match(byId('f0', small).name, /300 conns/);
  });
});
