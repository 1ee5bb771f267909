import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileClient, FileServer } from '../../src/index.js';
import { rm, sha256File, tempDir } from '../helpers/files.js';

// Multi-GiB round trip of a SPARSE file: 2 GiB + 1 MiB + 1 byte by default, so offsets and the
// size cross 2^31 (the boundary where 32-bit arithmetic breaks). About 25 s on a quiet 2-core VM,
// so it runs in the default suite; FT_LARGE=0 skips it, FT_LARGE_MIB=3072 makes it 3 GiB + 1.
const LARGE = process.env.FT_LARGE !== '0';
const MIB = Number(process.env.FT_LARGE_MIB ?? 2049);
const SIZE = MIB * 1024 * 1024 + 1;

let dir: string;
beforeAll(async () => {
  dir = await tempDir('ft-large-');
});
afterAll(async () => {
  await rm(dir);
});

describe.skipIf(!LARGE)(`a ${MIB} MiB + 1 sparse file`, () => {
  it('round-trips byte-identical with bounded memory', { timeout: 30 * 60_000 }, async () => {
    const root = path.join(dir, 'root');
    await fsp.mkdir(root);
    const src = path.join(dir, 'sparse.bin');
    const fh = await fsp.open(src, 'w');
    await fh.write(Buffer.from('head'), 0, 4, 0);
    await fh.write(Buffer.from('middle'), 0, 6, 2 ** 31 + 5);
    await fh.truncate(SIZE);
    await fh.write(Buffer.from('!'), 0, 1, SIZE - 1);
    await fh.close();
    const server = new FileServer({ root });
    const l = await server.listen({ port: 0 });
    const client = await FileClient.connect({ host: '127.0.0.1', port: l.port });
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    try {
      const rssBefore = process.memoryUsage().rss;
      const up = await client.put(src, 'big/sparse.bin');
      expect(up.size).toBe(SIZE);
      expect((await client.stat('big/sparse.bin')).size).toBe(SIZE);
      const out = path.join(dir, 'back.bin');
      const down = await client.get('big/sparse.bin', out);
      expect(down.sha256).toBe(up.sha256);
      expect(await sha256File(out)).toBe(up.sha256);
      console.info(
        `large-file: ${MIB} MiB+1 upload ${up.seconds.toFixed(1)} s (${(MIB / up.seconds).toFixed(0)} MiB/s), download ${down.seconds.toFixed(1)} s (${(MIB / down.seconds).toFixed(0)} MiB/s); RSS before ${(rssBefore / 1048576).toFixed(0)} MiB, peak ${(peak / 1048576).toFixed(0)} MiB (client and server in this one process)`,
      );
      // Client and server share this process: both sides' buffers together stay far below the file size.
      expect(peak - rssBefore).toBeLessThan(256 * 1024 * 1024);
    } finally {
      clearInterval(timer);
      await client.close();
      await server.close({ drainMs: 0 });
    }
  });
});
