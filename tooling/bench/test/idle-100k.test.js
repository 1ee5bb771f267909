// idle-100k.js at a size a test can afford: both sides, every figure present, bounded, exit 0.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnNode, waitExit } from '../lib/proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(HERE, '../idle-100k.js');

describe('idle-100k.js', () => {
  it('holds N idle connections from several source addresses against A and B and reports RSS/conn and idle CPU', async () => {
    const out = mkdtempSync(join(tmpdir(), 'idle-100k-'));
    try {
      const proc = spawnNode(SCRIPT, ['--connections', '60', '--per-source', '25', '--settle', '0', '--quiet', '0.5', '--out', out]);
      const ex = await waitExit(proc, 90_000);
      assert.equal(ex.code, 0, proc.state.err);
      const json = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))), 'utf8'));
      assert.deepEqual(
        json.results.map((r) => [r.side, r.ok, r.held, r.opened, r.failed]),
        [
          ['A', true, 60, 60, 0],
          ['B', true, 60, 60, 0],
        ],
      );
      for (const r of json.results) {
        assert.match(r.sources, /^127\.\d+\.\d+\.1-127\.\d+\.\d+\.3$/); // 60 / 25 → 3 addresses
        assert.ok(Number.isFinite(r.idleCpuPercent) && r.idleCpuPercent >= 0);
        assert.ok(Number.isFinite(r.rssPerConn));
        assert.ok(r.quietSec >= 0.5);
      }
      assert.notEqual(json.results[0].sources, json.results[1].sources);
      assert.match(proc.state.out, /\| \*\*RSS per connection\*\*/);
      assert.match(proc.state.out, /\| \*\*idle CPU\*\*/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('bad flags exit 2 with a usage line', async () => {
    for (const args of [['--connections', '0'], ['--per-source', '30000'], ['--sides', 'C'], ['--bogus']]) {
      const proc = spawnNode(SCRIPT, args);
      const ex = await waitExit(proc, 20_000);
      assert.equal(ex.code, 2, args.join(' '));
      assert.match(proc.state.err, /^idle-100k: /);
    }
  });
});
