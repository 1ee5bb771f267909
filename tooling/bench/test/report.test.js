import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownTable, svgChart, verdict } from '../lib/report.js';
import { summarize } from '../lib/stats.js';

describe('stats.summarize', () => {
  it('median of odd and even counts, min, max; non-finite values ignored', () => {
    assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
    assert.deepEqual(summarize([4, 1, Number.NaN, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
    assert.equal(summarize([]).n, 0);
  });
});

function fixture() {
  const s = (median) => ({ median, min: median * 0.9, max: median * 1.1, n: 3 });
  return {
    date: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'Test CPU', os: 'Linux', node: 'v20.0.0' },
    pinned: true,
    options: { reps: 3, durationS: 5 },
    servers: { A: 'baseline', B: 'ours' },
    scenarios: [
      {
        id: 'b',
        name: 'small',
        kind: 'load',
        rows: [
          { key: 'msgsPerSec', label: 'msg/s', higherIsBetter: true, target: { kind: 'ratio-min', value: 1.2, text: '≥ 1.2×' }, A: s(100), B: s(130), ratio: 1.3, delta: 30 },
          { key: 'p99Us', label: 'p99 µs', higherIsBetter: false, target: undefined, A: s(50), B: s(40), ratio: 0.8, delta: -10 },
        ],
        cpu: { A: s(2), B: s(1.5) },
        busy: { serverA: 0.9, serverB: 0.8, loadA: 0.7, loadB: 0.75 },
        failures: 0,
      },
      {
        id: 'f0',
        name: 'idle',
        kind: 'idle',
        rows: [{ key: 'rssPerConn', label: 'RSS B/conn', higherIsBetter: false, target: { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' }, A: s(6000), B: s(7000), ratio: 7 / 6, delta: 1000 }],
        failures: 0,
      },
      {
        id: 'f1',
        name: 'idle after one echo',
        kind: 'idle',
        rows: [
          { key: 'rssPerConn', label: 'RSS B/conn', higherIsBetter: false, target: { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' }, A: s(8000), B: s(6000), ratio: 0.75, delta: -2000 },
          { key: 'idleRssPerConn', label: 'idle RSS B/conn', higherIsBetter: false, target: { kind: 'ratio-max', value: 1.0, text: '≤ 1.0×' }, A: s(7000), B: s(7000), ratio: 1, delta: 0 },
          { key: 'openMs', label: 'open ms', higherIsBetter: false, target: undefined, A: s(900), B: s(950), ratio: 950 / 900, delta: 50 },
        ],
        failures: 0,
      },
      { id: 'h', name: 'jobs', kind: 'load', skipped: 'not wired', rows: [] },
    ],
    checks: [
      { id: 'd-vs-d1', label: 'd vs d1 (ours)', left: 1250, right: 1100, unit: 'msg/s', claim: 'd ≥ d1', ok: true },
      { id: 'x', label: 'x vs y (ours)', left: Number.NaN, right: 5, unit: 'msg/s', claim: 'x ≥ y', ok: undefined },
    ],
    notes: ['a note'],
  };
}

describe('report', () => {
  it('verdicts follow the target kind', () => {
    const r = fixture();
    assert.equal(verdict(r.scenarios[0].rows[0]), true);
    assert.equal(verdict(r.scenarios[0].rows[1]), undefined);
    assert.equal(verdict(r.scenarios[1].rows[0]), false);
    assert.equal(verdict(r.scenarios[2].rows[0]), true);
    assert.equal(verdict(r.scenarios[2].rows[1]), true); // equal to the baseline meets ≤ 1.0×
    assert.equal(verdict({ target: { kind: 'delta-max', value: 512 }, ratio: 1.1, delta: 600 }), false);
  });

  it('the markdown table has a row per metric, pass/FAIL, CPU, skips and notes', () => {
    const md = markdownTable(fixture());
    assert.match(md, /\| b \| small \| msg\/s \| 100 \(90\.0–110\) \| 130 \(117–143\) \| 1\.30× \| ≥ 1\.2× \*\*pass\*\* \| 2\.00 → 1\.50 \|/);
    assert.match(md, /\| f0 \| idle \| RSS B\/conn \| 6,000 .* \| 1\.17× \| ≤ 1\.0× \*\*FAIL\*\*/);
    assert.match(md, /\| {2}\| {2}\| idle RSS B\/conn \| 7,000 .* \| 1\.00× \| ≤ 1\.0× \*\*pass\*\*/);
    assert.match(md, /\| {2}\| {2}\| open ms \| 900 .* \| 1\.06× \| {2}\| {2}\|/);
    // The checks sit right under the table, before the CPU-busy table.
    assert.match(md, /\n\n- d vs d1 \(ours\): 1,250 msg\/s vs 1,100 msg\/s — d ≥ d1 \*\*pass\*\*\n- x vs y \(ours\): – msg\/s vs 5\.00 msg\/s — x ≥ y not measured\n\nCPU busy/);
    assert.match(md, /\| h \| jobs \| .* skipped: not wired/);
    assert.match(md, /\| b \| 90% \| 80% \| 70% \| 75% \|/);
    assert.match(md, /- a note/);
  });

  it('the SVG has one bar per charted row and the target ticks', () => {
    const svg = svgChart(fixture());
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 4); // background + b msg/s + f0 RSS + f1 RSS, idle RSS
    assert.match(svg, /1\.30×/);
    assert.match(svg, /0\.86×/); // f0: 1 / (7/6), higher is better
    assert.match(svg, /1\.33×/); // f1: 1 / 0.75
  });
});
