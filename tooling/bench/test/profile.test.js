import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { topSelfTime } from '../lib/profile.js';

describe('topSelfTime', () => {
  it('ranks functions by self time as a share of non-idle time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prof-'));
    try {
      const frame = (functionName, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, scriptId: '0', columnNumber: 0 });
      const profile = {
        nodes: [
          { id: 1, callFrame: frame('(root)') },
          { id: 2, callFrame: frame('(idle)') },
          { id: 3, callFrame: frame('hot', 'file:///x/src/hot.js', 9) },
          { id: 4, callFrame: frame('writev') },
        ],
        startTime: 0,
        endTime: 100,
        // sample i is charged timeDeltas[i + 1]
        samples: [3, 3, 4, 2, 3],
        timeDeltas: [0, 10, 10, 20, 50, 0],
      };
      const file = join(dir, 'p.cpuprofile');
      writeFileSync(file, JSON.stringify(profile));
      const { busyMs, top } = topSelfTime(file, 5);
      // hot: 10 + 10 + 0 = 20 µs; writev: 20 µs; idle excluded → busy 40 µs
      assert.equal(busyMs, 0);
      assert.deepEqual(
        top.map((t) => [t.name, t.where, t.percent]),
        [
          ['hot', 'src/hot.js:10', 50],
          ['writev', '', 50],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
