// End to end: the harness against the baseline on both sides, one tiny run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnNode, waitExit } from '../lib/proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));

describe('echo-bench.js', () => {
  it('--b baseline runs a scenario A B, writes json/md/svg and prints the table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'echo-bench-'));
    try {
      const proc = spawnNode(join(HERE, '../echo-bench.js'), ['--b', 'baseline', '--scenarios', 'a', '--reps', '1', '--duration', '0.3', '--out', out]);
      const ex = await waitExit(proc, 60_000);
      assert.equal(ex.code, 0, proc.state.err);
      assert.match(proc.state.out, /\| a \| ping-pong/);
      const files = readdirSync(out).sort();
      assert.equal(files.length, 3);
      const json = JSON.parse(readFileSync(join(out, files.find((f) => f.endsWith('.json'))), 'utf8'));
      assert.equal(json.scenarios[0].runs.length, 2);
      assert.deepEqual(
        json.scenarios[0].runs.map((r) => [r.side, r.ok]),
        [
          ['A', true],
          ['B', true],
        ],
      );
      assert.ok(json.scenarios[0].runs[0].msgsPerSec > 0);
      assert.ok(existsSync(join(out, files.find((f) => f.endsWith('.svg')))));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('d1, f0 and f1 (small) run A B; f1 takes an idle RSS sample after every echo is back; d vs d1 is checked', async () => {
    const out = mkdtempSync(join(tmpdir(), 'echo-bench-'));
    try {
      const args = ['--b', 'baseline', '--scenarios', 'd,d1,f0,f1', '--reps', '1', '--duration', '0.3', '--idle-conns', '300', '--out', out];
      const proc = spawnNode(join(HERE, '../echo-bench.js'), args);
      const ex = await waitExit(proc, 120_000);
      assert.equal(ex.code, 0, proc.state.err);
      const json = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))), 'utf8'));
      assert.deepEqual(
        json.scenarios.map((s) => [s.id, s.runs.map((r) => `${r.side}${r.ok}`).join(' ')]),
        [
          ['d', 'Atrue Btrue'],
          ['d1', 'Atrue Btrue'],
          ['f0', 'Atrue Btrue'],
          ['f1', 'Atrue Btrue'],
        ],
      );
      const f1 = json.scenarios.find((s) => s.id === 'f1');
      for (const r of f1.runs) {
        assert.ok(Number.isFinite(r.idleRssPerConn) && r.rssIdle > 0, JSON.stringify(r));
        assert.ok(r.rssIdle <= r.rssPeak);
      }
      assert.deepEqual(
        f1.rows.map((r) => r.key),
        ['rssPerConn', 'idleRssPerConn', 'openMs'],
      );
      assert.equal(json.checks.length, 1);
      assert.equal(json.checks[0].id, 'd-vs-d1');
      assert.match(proc.state.out, /\| f1 \| idle scale, after one echo: 300 conns \| RSS B\/conn/);
      assert.match(proc.state.out, /\n- d vs d1 \(baseline as B\): [\d,.]+ msg\/s vs [\d,.]+ msg\/s — d ≥ d1 \*\*(pass|FAIL)\*\*\n/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('bad flags exit 2 with a usage line', async () => {
    for (const args of [['--reps', '0'], ['--scenarios', 'z'], ['--scenarios', 'f'], ['--idle-conns', '0'], ['--bogus']]) {
      const proc = spawnNode(join(HERE, '../echo-bench.js'), args);
      const ex = await waitExit(proc, 20_000);
      assert.equal(ex.code, 2, args.join(' '));
      assert.match(proc.state.err, /^echo-bench: /);
    }
  });
});
