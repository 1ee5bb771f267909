/**
 * Preloaded (`node --expose-gc --import ./mem-probe.js`) into a server started by
 * idle-memory.ts, so the real programs (apps/echo-server, the node:net baseline) can be measured
 * unchanged. Answers on the IPC channel:
 * - `{ t: 'measure' }` → `{ t: 'mem', rawRss, rss, heapTotal, heapUsed, external, arrayBuffers,
 *   mallocRss }`: `rawRss` read first, as a sampler would see it (garbage included), the rest
 *   after full GCs; `mallocRss` is the RSS of the main malloc arena (Linux `[heap]`, else 0);
 *   `spaces`: V8 heap spaces, `{ size, used }` each;
 * - `{ t: 'snapshot', path }` → full GCs, heap snapshot written to `path`, `{ t: 'snapshot' }`.
 * Plain JavaScript on purpose: no TypeScript loader in the process being measured.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('mem-probe needs --expose-gc');

async function fullGc() {
  // Several rounds, with turns in between, so weak callbacks and finalizers run too.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/** RSS of the main malloc arena (the `[heap]` mapping on Linux): native memory of the main thread. */
function mallocRss() {
  try {
    const smaps = readFileSync('/proc/self/smaps', 'utf8');
    const i = smaps.indexOf('[heap]');
    if (i < 0) return 0;
    const m = /\nRss:\s+(\d+) kB/.exec(smaps.slice(i));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

process.on('message', async (m) => {
  if (m?.t === 'measure') {
    // RSS as a sampler sees it (garbage included), then everything after full GCs.
    const rawRss = process.memoryUsage.rss();
    await fullGc();
    const u = process.memoryUsage();
    process.send({
      t: 'mem',
      rawRss,
      rss: u.rss,
      heapTotal: u.heapTotal,
      heapUsed: u.heapUsed,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      mallocRss: mallocRss(),
      spaces: Object.fromEntries(
        getHeapSpaceStatistics().map((x) => [x.space_name, { size: x.space_size, used: x.space_used_size }]),
      ),
    });
  } else if (m?.t === 'snapshot') {
    await fullGc();
    writeHeapSnapshot(m.path);
    process.send({ t: 'snapshot' });
  }
});
// The IPC channel must not keep the server alive on its own once the harness is gone.
process.on('disconnect', () => process.exit(0));
