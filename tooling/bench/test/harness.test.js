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

  it('bad flags exit 2 with a usage line', async () => {
    for (const args of [['--reps', '0'], ['--scenarios', 'z'], ['--bogus']]) {
      const proc = spawnNode(join(HERE, '../echo-bench.js'), args);
      const ex = await waitExit(proc, 20_000);
      assert.equal(ex.code, 2, args.join(' '));
      assert.match(proc.state.err, /^echo-bench: /);
    }
  });
});
