import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileSystem, RESERVED_FOLDER } from '../src/index.js';
import { overridingHandles } from './helpers/faulty-fs.js';
import { randomFile, rm, tempDir } from './helpers/files.js';
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

/** Every file published under the server's root (partials, kept for resume, are not published). */
async function published(): Promise<string[]> {
  const partials = path.join(root, RESERVED_FOLDER);
  const out: string[] = [];
  for (const e of await fsp.readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && !e.parentPath.startsWith(partials)) out.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  return out;
}

/** The real file system, except that open files of `match` report `delta` bytes less from `stat()`. */
function understatedSize(match: string, delta: number): FileSystem {
  return overridingHandles(match, 'stat', (fh) => async () => {
    const st = await fh.stat();
    st.size -= delta;
    return st;
  });
}

describe('put refuses sources that are not regular files', () => {
  it('a FIFO is refused at once with IOCP_ERR_FT_NOT_A_FILE (opening it does not wait for a writer)', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const { client } = await memorySetup({ root });
    await expect(client.put(fifo, 'pipe')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE', message: expect.stringMatching(/FIFO/) });
    expect(await published()).toEqual([]);
    // The session is still usable.
    const src = path.join(dir, 'ok.bin');
    await randomFile(src, 10);
    await expect(client.put(src, 'ok.bin')).resolves.toMatchObject({ size: 10 });
    client.close();
  });

  it('a Unix socket and a character device are refused with IOCP_ERR_FT_NOT_A_FILE', async () => {
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const { client } = await memorySetup({ root });
      await expect(client.put(sock, 's')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE' });
      await expect(client.put('/dev/null', 'n')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE', message: expect.stringMatching(/character device/) });
      await expect(client.put(dir, 'd')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE', message: expect.stringMatching(/folder/) });
      expect(await published()).toEqual([]);
      client.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.skipIf(process.platform !== 'linux')('a /proc file (stat size 0, content not empty) fails with IOCP_ERR_FT_SIZE_MISMATCH, nothing published', async () => {
    const { client } = await memorySetup({ root });
    await expect(client.put('/proc/self/status', 'status')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_SIZE_MISMATCH' });
    expect(await published()).toEqual([]);
    client.close();
  });

  it('a file with more bytes than its stat size (simulated) fails with IOCP_ERR_FT_SIZE_MISMATCH, nothing published', async () => {
    const src = path.join(dir, 'grows.bin');
    await randomFile(src, 100_000);
    const { client } = await memorySetup({ root, chunkSize: 16 * 1024 }, { fs: understatedSize('grows.bin', 10) });
    await expect(client.put(src, 'grows.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_SIZE_MISMATCH', message: expect.stringMatching(/more bytes than the 99990/) });
    expect(await published()).toEqual([]);
    client.close();
  });
});

describe('get into a missing folder', () => {
  it('names the user’s path and its folder, never the internal partial file', async () => {
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 10);
    const { client } = await memorySetup({ root });
    await client.put(src, 'x');
    const target = path.join(dir, 'nodir', 'sub', 'x');
    const err = (await client.get('x', target).catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toMatchObject({ code: 'IOCP_ERR_FT_NOT_FOUND' });
    expect(err.message).toBe(`${target}: folder ${path.join(dir, 'nodir', 'sub')} does not exist`);
    expect(err.message).not.toMatch(/iocp-part/);
    client.close();
  });
});

describe('get onto an existing target that is not a regular file', () => {
  it('refuses a folder and a socket with IOCP_ERR_FT_NOT_A_FILE instead of renaming over them', async () => {
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 1000);
    const { client } = await memorySetup({ root });
    await client.put(src, 'x');
    // A Unix socket stands in for /dev/null and FIFOs: renaming the download over it replaced it.
    const sock = path.join(dir, 'listening.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const folder = path.join(dir, 'folder');
      await fsp.mkdir(folder);
      for (const [target, kind] of [
        [sock, 'a socket'],
        [folder, 'a folder'],
      ] as const) {
        const err = (await client.get('x', target).catch((e: unknown) => e)) as Error & { code: string };
        expect(err).toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE' });
        expect(err.message).toContain(kind);
      }
      expect((await fsp.lstat(sock)).isSocket()).toBe(true);
      expect(await fsp.readdir(folder)).toEqual([]);
      expect((await fsp.readdir(dir)).filter((n) => n.includes('iocp-part'))).toEqual([]);
      // A regular file is still replaced, as before.
      const plain = path.join(dir, 'plain.bin');
      await fsp.writeFile(plain, 'old');
      await client.get('x', plain);
      expect((await fsp.stat(plain)).size).toBe(1000);
    } finally {
      server.close();
      client.close();
    }
  });
});

describe('published files and listings', () => {
  it('an uploaded file gets mode 0644 less the umask, like a download', async () => {
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 10);
    const { client } = await memorySetup({ root });
    await client.put(src, 'up.bin');
    await client.get('up.bin', path.join(dir, 'down.bin'));
    const umask = process.umask(0o022);
    process.umask(umask);
    const up = (await fsp.stat(path.join(root, 'up.bin'))).mode & 0o777;
    const down = (await fsp.stat(path.join(dir, 'down.bin'))).mode & 0o777;
    expect(up).toBe(0o644 & ~umask);
    expect(up).toBe(down);
    client.close();
  });

  it('list returns entries sorted by name, whatever order the file system gives', async () => {
    const names = ['zeta.txt', 'b/2.txt', 'a.txt', 'b/10.txt', 'B.txt', 'b/1/x.txt', 'm/n/o.txt', 'aa.txt'];
    for (const n of names) await randomFile(path.join(root, n), 1);
    const { client } = await memorySetup({ root });
    const got = (await client.list()).map((e) => e.name);
    expect(got).toEqual([...names].sort());
    expect(got[0]).toBe('B.txt');
    expect((await client.list('b')).map((e) => e.name)).toEqual(['b/1/x.txt', 'b/10.txt', 'b/2.txt']);
    client.close();
  });
});

