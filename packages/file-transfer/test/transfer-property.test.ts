import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomFile, rm, sha256File, tempDir } from './helpers/files.js';
import { memorySetup } from './helpers/memory-setup.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('ft-prop-');
});
afterAll(async () => {
  await rm(dir);
});

describe('property: any size, chunk, window and watermark', () => {
  it('put then get is byte-identical and resume from any cut point converges', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 300_000 }),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, chunkSize, extraWindow, clientWindow, cutAt) => {
          const base = path.join(dir, `r${run++}`);
          const root = path.join(base, 'root');
          await fsp.mkdir(root, { recursive: true });
          const src = path.join(base, 'src');
          await randomFile(src, size);
          const want = await sha256File(src);
          const opts = { root, chunkSize, window: chunkSize + extraWindow };
          // First attempt is cut after `cutAt` of the file (when there is anything to cut).
          const first = await memorySetup(opts, { chunkSize, window: clientWindow });
          const cut = Math.floor(size * cutAt);
          const r1 = await first.client
            .put(src, 'f', { onProgress: (d) => d >= cut && d < size && first.clientEnd.destroy() })
            .catch((err) => err);
          if (r1 instanceof Error) expect((r1 as { code?: string }).code).toBe('IOCP_ERR_FT_CLOSED');
          while (first.server.uploadsInProgress > 0) await new Promise((r) => setTimeout(r, 2));
          const second = await memorySetup(opts, { chunkSize, window: clientWindow }, first.server);
          const up = await second.client.put(src, 'f');
          expect(up.sha256).toBe(want);
          expect(await sha256File(path.join(root, 'f'))).toBe(want);
          const out = path.join(base, 'out');
          const down = await second.client.get('f', out);
          expect(down.sha256).toBe(want);
          expect(await sha256File(out)).toBe(want);
          second.client.close();
          await rm(base);
        },
      ),
      { numRuns: 25 },
    );
    // ~40 s alone on the shared 2-core VM and more with the other suites running: an upper bound.
  }, 240_000);
});
