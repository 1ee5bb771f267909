// End to end: haproxy-bench.js, one tiny rep of each side (skips without haproxy).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { which } from '@iocp/tooling-deploy/processes';
import { spawnNode, waitExit } from '../lib/proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const skip = which('haproxy') === undefined ? 'haproxy is not installed (apt-get install haproxy): haproxy-bench test skipped' : false;

describe('haproxy-bench.js', { skip }, () => {
  it('runs A (direct) and B (HAProxy, two instances), prints msg/s, p99 and errors of both and writes --json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'haproxy-bench-'));
    try {
      const file = join(out, 'runs.json');
      const proc = spawnNode(join(HERE, '../haproxy-bench.js'), ['--reps', '1', '--duration', '0.5', '--connections', '4', '--json', file]);
      const ex = await waitExit(proc, 60_000);
      assert.equal(ex.code, 0, proc.state.err);
      assert.match(proc.state.out, /\| A: direct, one instance \| \d+/);
      assert.match(proc.state.out, /\| B: HAProxy v2, two instances \| \d+/);
      assert.match(proc.state.out, /B\/A: msg\/s [\d.]+x, p99 [\d.]+x/);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      for (const side of json.sides) {
        assert.equal(side.runs.length, 1);
        assert.equal(side.runs[0].errors, 0);
        assert.equal(side.runs[0].mismatches, 0);
        assert.ok(side.runs[0].msgPerSec > 0);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
