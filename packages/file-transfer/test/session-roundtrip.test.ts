import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadPartialPath } from '../src/index.js';
import { exists, randomFile, rm, sha256File, tempDir } from './helpers/files.js';
import { memorySetup } from './helpers/memory-setup.js';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await tempDir();
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
});
afterEach(async () => {
  await rm(dir);
});

describe('put and get over an in-memory pipe', () => {
  for (const size of [0, 1, 13, 256 * 1024, 256 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
    it(`round-trips ${size} bytes byte-identical`, async () => {
      const { client } = await memorySetup({ root, chunkSize: 64 * 1024, window: 256 * 1024 });
      const src = path.join(dir, 'src.bin');
      await randomFile(src, size);
      const want = await sha256File(src);
      const up = await client.put(src, 'a/b/c.bin');
      expect(up.sha256).toBe(want);
      expect(up.size).toBe(size);
      expect(await sha256File(path.join(root, 'a/b/c.bin'))).toBe(want);
      const dst = path.join(dir, 'dst.bin');
      const down = await client.get('a/b/c.bin', dst);
      expect(down.sha256).toBe(want);
      expect(await sha256File(dst)).toBe(want);
      expect(await exists(downloadPartialPath(dst))).toBe(false);
      client.close();
    });
  }

  it('lists, stats and deletes', async () => {
    const { client } = await memorySetup({ root });
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 1234);
    await client.put(src, 'x.bin');
    await client.put(src, 'd/e/y.bin');
    const list = await client.list();
    expect(list.map((e) => `${e.name} ${e.size}`).sort()).toEqual(['d/e/y.bin 1234', 'x.bin 1234']);
    expect((await client.list('d')).map((e) => e.name)).toEqual(['d/e/y.bin']);
    expect((await client.stat('d/e/y.bin')).size).toBe(1234);
    await client.delete('x.bin');
    await expect(client.stat('x.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_FOUND' });
    await expect(client.delete('x.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_FOUND' });
    client.close();
  });
});

describe('server log lines', () => {
  it('name the requested file as `file` (a logger’s own `name` stays its own), also when the name is refused', async () => {
    const lines: Record<string, unknown>[] = [];
    const record = (obj: object, msg?: string) => void lines.push({ ...obj, msg });
    const { client } = await memorySetup({ root, logger: { info: record, warn: record, error: record } });
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 10);
    await client.put(src, 'a/logged.bin');
    await client.get('a/logged.bin', path.join(dir, 'back.bin'));
    await client.delete('a/logged.bin');
    await expect(client.put(src, '../outside')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.get('.iocp-ft/x', path.join(dir, 'y'))).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    const by = (msg: string) => lines.filter((l) => l.msg === msg);
    for (const msg of ['upload started', 'upload published', 'download sent', 'deleted']) {
      expect(by(msg)).toEqual([expect.objectContaining({ file: 'a/logged.bin' })]);
    }
    expect(by('request failed').map((l) => [l.file, l.code])).toEqual([
      ['../outside', 'IOCP_ERR_FT_BAD_PATH'],
      ['.iocp-ft/x', 'IOCP_ERR_FT_BAD_PATH'],
    ]);
    expect(lines.some((l) => 'name' in l)).toBe(false);
    client.close();
  });
});
