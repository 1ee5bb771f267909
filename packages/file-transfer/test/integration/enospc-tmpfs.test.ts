import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileClient, FileServer } from '../../src/index.js';
import { randomFile, rm, sha256File, tempDir } from '../helpers/files.js';

// A real full disk: a 2 MiB tmpfs. Needs root and a kernel that lets us mount; where that is
// not allowed (most CI runners) the test reports itself skipped and the fs-layer simulation in
// session-faults.test.ts ("ENOSPC while writing") covers the same path.
let dir: string;
let mnt: string;
let mounted = false;

beforeAll(async () => {
  dir = await tempDir('ft-enospc-');
  mnt = path.join(dir, 'mnt');
  await fsp.mkdir(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
  } catch {
    console.warn('enospc-tmpfs: cannot mount a tmpfs here (not root or not permitted): real-ENOSPC test skipped');
  }
});
afterAll(async () => {
  if (mounted) execFileSync('umount', [mnt], { stdio: 'ignore' });
  await rm(dir);
});

describe('a real full disk (2 MiB tmpfs)', () => {
  it('ENOSPC mid-upload reaches the client as IOCP_ERR_FT_NO_SPACE; the server serves on; the partial resumes once space is freed', async (ctx) => {
    if (!mounted) ctx.skip();
    const server = new FileServer({ root: mnt, chunkSize: 64 * 1024, window: 128 * 1024 });
    const l = await server.listen({ port: 0 });
    const a = await FileClient.connect({ host: '127.0.0.1', port: l.port });
    const b = await FileClient.connect({ host: '127.0.0.1', port: l.port });
    try {
      const fa = path.join(dir, 'a.bin');
      const fb = path.join(dir, 'b.bin');
      await randomFile(fa, 1536 * 1024);
      await randomFile(fb, 1536 * 1024);
      // Each fits the free-space check alone; together they cannot fit: one hits ENOSPC while writing.
      const results = await Promise.allSettled([a.put(fa, 'a.bin'), b.put(fb, 'b.bin')]);
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const f of failed) expect(f.reason.code).toBe('IOCP_ERR_FT_NO_SPACE');
      // The server is still serving both connections.
      const listed = (await a.list()).map((e) => e.name);
      expect(listed.length).toBe(2 - failed.length);
      // Keep the first failed upload's partial; delete everything else (files and partials).
      const retry = results[0]!.status === 'rejected' ? { c: a, f: fa, n: 'a.bin' } : { c: b, f: fb, n: 'b.bin' };
      await a.delete(retry.n === 'a.bin' ? 'b.bin' : 'a.bin');
      const r = await retry.c.put(retry.f, retry.n);
      expect(r.resumedFrom).toBeGreaterThan(0);
      expect(await sha256File(path.join(mnt, retry.n))).toBe(await sha256File(retry.f));
      expect((await b.list()).map((e) => e.name)).toEqual([retry.n]);
      console.info(`enospc-tmpfs: ran on a real 2 MiB tmpfs; failed uploads: ${failed.length}, ${retry.n} resumed from ${r.resumedFrom}`);
    } finally {
      await a.close();
      await b.close();
      await server.close({ drainMs: 0 });
    }
  });
});
