import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientSession, FileServer, MessageType, allocDataFrame, decodeMessage, downloadPartialPath, encodeMessage } from '../src/index.js';
import { failingOpen, failingWrites } from './helpers/faulty-fs.js';
import { exists, randomFile, rm, sha256File, tempDir } from './helpers/files.js';
import { HOSTILE_NAMES } from './helpers/hostile-names.js';
import { memoryPair } from './helpers/memory-pipe.js';
import { memorySetup } from './helpers/memory-setup.js';

let dir: string;
let root: string;
let src: string;
beforeEach(async () => {
  dir = await tempDir();
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
  src = path.join(dir, 'src.bin');
});
afterEach(async () => {
  await rm(dir);
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

async function snapshot(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(folder, { recursive: true, withFileTypes: true })) out.push(path.join(e.parentPath, e.name));
  return out.sort();
}

describe('confinement', () => {
  it('refuses every hostile name for put, get, stat and delete, and writes nothing anywhere', async () => {
    await randomFile(src, 100);
    const { client, server } = await memorySetup({ root });
    const before = await snapshot(dir);
    for (const [name, why] of HOSTILE_NAMES) {
      await expect(client.put(src, name), `put ${why}`).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
      await expect(client.get(name, path.join(dir, 'out.bin')), `get ${why}`).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
      await expect(client.stat(name), `stat ${why}`).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
      await expect(client.delete(name), `delete ${why}`).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    }
    // The connection survived every refusal, and each was counted.
    expect(server.stats().failures).toEqual({ IOCP_ERR_FT_BAD_PATH: 4 * HOSTILE_NAMES.length });
    await client.put(src, 'ok.bin');
    const after = (await snapshot(dir)).filter((p) => !p.endsWith('ok.bin'));
    expect(after).toEqual(before);
    client.close();
  });

  it('refuses symlinks that lead outside the root, follows those that stay inside', async () => {
    const outside = path.join(dir, 'outside');
    await fsp.mkdir(outside);
    await fsp.writeFile(path.join(outside, 'secret.txt'), 'secret');
    await fsp.symlink(outside, path.join(root, 'escape'));
    await fsp.symlink(path.join(outside, 'secret.txt'), path.join(root, 'secret-link'));
    await fsp.writeFile(path.join(root, 'inside.txt'), 'inside');
    await fsp.symlink('inside.txt', path.join(root, 'inside-link'));
    await randomFile(src, 10);
    const { client } = await memorySetup({ root });
    await expect(client.put(src, 'escape/x.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.put(src, 'escape/new/x.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.get('escape/secret.txt', path.join(dir, 'o1'))).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.get('secret-link', path.join(dir, 'o2'))).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.stat('secret-link')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.list('escape')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    expect(await fsp.readdir(outside)).toEqual(['secret.txt']);
    const r = await client.get('inside-link', path.join(dir, 'o3'));
    expect(r.size).toBe(6);
    // Deleting a link removes the link, never its target.
    await client.delete('secret-link');
    expect(await fsp.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    // Listing does not follow links.
    expect((await client.list()).map((e) => e.name).sort()).toEqual(['inside.txt']);
    client.close();
  });

  it('refuses to start when the partials folder is a symlink out of the root', async () => {
    const outside = path.join(dir, 'elsewhere');
    await fsp.mkdir(outside);
    await fsp.symlink(outside, path.join(root, '.iocp-ft'));
    await expect(new FileServer({ root }).open()).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    expect(await fsp.readdir(outside)).toEqual([]); // nothing was created through the link
  });

  it('refuses to overwrite a folder and to treat a file as a folder', async () => {
    await randomFile(src, 10);
    await fsp.mkdir(path.join(root, 'folder'));
    await fsp.writeFile(path.join(root, 'file'), 'x');
    const { client } = await memorySetup({ root });
    await expect(client.put(src, 'folder')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE' });
    await expect(client.put(src, 'file/x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await expect(client.get('folder', path.join(dir, 'o'))).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE' });
    await expect(client.delete('folder')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_A_FILE' });
    client.close();
  });
});

describe('access', () => {
  it('requires the token when one is set: missing and wrong are refused, right is accepted', async () => {
    const server = new FileServer({ root, token: 'let-me-in' });
    const missing = await memorySetup({ root }, {}, server);
    await expect(missing.client.ready).rejects.toMatchObject({ code: 'IOCP_ERR_FT_AUTH' });
    await expect(missing.client.list()).rejects.toMatchObject({ code: 'IOCP_ERR_FT_AUTH' });
    const wrong = await memorySetup({ root }, { token: 'let-me-inn' }, server);
    await expect(wrong.client.ready).rejects.toMatchObject({ code: 'IOCP_ERR_FT_AUTH', message: 'wrong token' });
    const right = await memorySetup({ root }, { token: 'let-me-in' }, server);
    expect(await right.client.list()).toEqual([]);
    right.client.close();
  });

  it('refuses an unknown protocol version with IOCP_ERR_FT_VERSION', async () => {
    const { client } = await memorySetup({ root }, { protocolVersion: 2 });
    await expect(client.ready).rejects.toMatchObject({ code: 'IOCP_ERR_FT_VERSION' });
    await expect(client.ready).rejects.toThrow(/version 2 is not supported; this server speaks version 1/);
  });

  it('closes a connection whose first message is not HELLO, and one that sends garbage', async () => {
    const server = new FileServer({ root });
    await server.open();
    for (const first of [encodeMessage({ type: MessageType.List, id: 1, folder: '' }), Buffer.from([0xee, 1, 2])]) {
      const [a, b] = memoryPair();
      b.sink = server.attach(b);
      const got: Buffer[] = [];
      let closed = false;
      a.sink = { onFrame: (f) => got.push(f), onDrain() {}, onClose: () => (closed = true) };
      a.send(first);
      await until(() => closed);
      expect(decodeMessage(got[0]!)).toMatchObject({ type: MessageType.Error, id: 0, code: 'IOCP_ERR_FT_PROTOCOL' });
    }
  });
});

describe('flow control', () => {
  it('a sender that exceeds its credit is cut off with IOCP_ERR_FT_PROTOCOL', async () => {
    const server = new FileServer({ root, window: 64 * 1024, chunkSize: 64 * 1024 });
    await server.open();
    const [a, b] = memoryPair();
    b.sink = server.attach(b);
    const got: Buffer[] = [];
    let closed = false;
    a.sink = { onFrame: (f) => got.push(f), onDrain() {}, onClose: () => (closed = true) };
    a.send(encodeMessage({ type: MessageType.Hello, version: 1, token: Buffer.alloc(0) }));
    a.send(encodeMessage({ type: MessageType.Put, id: 1, size: 1 << 20, resume: false, name: 'x' }));
    while (got.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(decodeMessage(got[1]!)).toMatchObject({ type: MessageType.PutReady, credit: 65536 });
    const f = allocDataFrame(1, 65536 + 1);
    a.send(f);
    while (!closed) await new Promise((r) => setTimeout(r, 5));
    expect(decodeMessage(got[got.length - 1]!)).toMatchObject({ type: MessageType.Error, id: 0, code: 'IOCP_ERR_FT_PROTOCOL' });
    // The busy lock is released once the partial's file handle has closed.
    await until(() => server.uploadsInProgress === 0);
  });

  it('keeps each side’s queued bytes bounded while moving 16 MiB', async () => {
    await randomFile(src, 16 << 20);
    const { client, clientEnd, serverEnd } = await memorySetup({ root, chunkSize: 64 * 1024, window: 512 * 1024 });
    await client.put(src, 'big.bin');
    await client.get('big.bin', path.join(dir, 'back.bin'));
    // High watermark 64 KiB + at most one chunk in flight per transfer + small control frames.
    expect(clientEnd.peakQueuedBytes).toBeLessThan(64 * 1024 + 64 * 1024 + 4096);
    expect(serverEnd.peakQueuedBytes).toBeLessThan(64 * 1024 + 64 * 1024 + 4096);
    expect(await sha256File(path.join(dir, 'back.bin'))).toBe(await sha256File(src));
    client.close();
  });
});

describe('integrity', () => {
  it('detects a corrupted upload chunk: HASH_MISMATCH, nothing published, partial removed', async () => {
    await randomFile(src, 300 * 1024);
    const { client, clientEnd, server } = await memorySetup({ root, chunkSize: 64 * 1024 });
    let n = 0;
    clientEnd.tamper = (f) => {
      if (f[0] === MessageType.Data && ++n === 3) f[100] = (f[100]! ^ 0xff) & 0xff;
      return f;
    };
    await expect(client.put(src, 'c.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_HASH_MISMATCH' });
    expect(await exists(path.join(root, 'c.bin'))).toBe(false);
    await until(() => server.uploadsInProgress === 0);
    expect(await fsp.readdir(path.join(root, '.iocp-ft', 'partial'))).toEqual([]);
    expect(server.uploadsInProgress).toBe(0);
    // The connection is still usable and a clean retry succeeds.
    clientEnd.tamper = undefined;
    await client.put(src, 'c.bin');
    expect(await sha256File(path.join(root, 'c.bin'))).toBe(await sha256File(src));
    client.close();
  });

  it('detects a corrupted download chunk: HASH_MISMATCH, no local file, no partial', async () => {
    await randomFile(path.join(root, 'd.bin'), 300 * 1024);
    const { client, serverEnd } = await memorySetup({ root, chunkSize: 64 * 1024 });
    let n = 0;
    serverEnd.tamper = (f) => {
      if (f[0] === MessageType.Data && ++n === 2) f[7] = (f[7]! + 1) & 0xff;
      return f;
    };
    const out = path.join(dir, 'd.bin');
    await expect(client.get('d.bin', out)).rejects.toMatchObject({ code: 'IOCP_ERR_FT_HASH_MISMATCH' });
    expect(await exists(out)).toBe(false);
    expect(await exists(downloadPartialPath(out))).toBe(false);
    client.close();
  });
});

describe('resume', () => {
  it('an upload cut off mid-way resumes from the server’s partial, byte-identical', async () => {
    await randomFile(src, 5 * 1024 * 1024 + 3);
    const server = new FileServer({ root, chunkSize: 64 * 1024, window: 256 * 1024 });
    const first = await memorySetup({ root }, {}, server);
    await expect(
      first.client.put(src, 'r/x.bin', {
        onProgress: (done) => {
          if (done >= 2 * 1024 * 1024) first.clientEnd.destroy(new Error('cut'));
        },
      }),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_FT_CLOSED' });
    expect(await exists(path.join(root, 'r/x.bin'))).toBe(false);
    await until(() => server.uploadsInProgress === 0);
    const second = await memorySetup({ root }, {}, server);
    const r = await second.client.put(src, 'r/x.bin');
    expect(r.resumedFrom).toBeGreaterThan(1024 * 1024);
    expect(r.transferred).toBe(r.size - r.resumedFrom);
    expect(await sha256File(path.join(root, 'r/x.bin'))).toBe(await sha256File(src));
    second.client.close();
  });

  it('starts over when the local file no longer matches the partial, or with resume: false', async () => {
    await randomFile(src, 2 * 1024 * 1024);
    const server = new FileServer({ root, chunkSize: 64 * 1024, window: 256 * 1024 });
    const first = await memorySetup({ root }, {}, server);
    await expect(
      first.client.put(src, 'x.bin', { onProgress: (d) => d >= 1024 * 1024 && first.clientEnd.destroy() }),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_FT_CLOSED' });
    await until(() => server.uploadsInProgress === 0);
    await randomFile(src, 2 * 1024 * 1024); // same size, new content
    const second = await memorySetup({ root }, {}, server);
    const r = await second.client.put(src, 'x.bin');
    expect(r.resumedFrom).toBe(0);
    expect(await sha256File(path.join(root, 'x.bin'))).toBe(await sha256File(src));
    const third = await memorySetup({ root }, {}, server);
    await expect(third.client.put(src, 'y.bin', { onProgress: (d) => d >= 1024 * 1024 && third.clientEnd.destroy() })).rejects.toThrow();
    await until(() => server.uploadsInProgress === 0);
    expect(await fsp.readdir(path.join(root, '.iocp-ft', 'partial'))).toHaveLength(1);
    const fourth = await memorySetup({ root }, {}, server);
    expect((await fourth.client.put(src, 'y.bin', { resume: false })).resumedFrom).toBe(0);
    fourth.client.close();
    // delete removes a kept partial even when no published file exists (how a client abandons a resume).
    const fifth = await memorySetup({ root }, {}, server);
    await expect(fifth.client.put(src, 'z.bin', { onProgress: (d) => d >= 1024 * 1024 && fifth.clientEnd.destroy() })).rejects.toThrow();
    await until(() => server.uploadsInProgress === 0);
    expect(await fsp.readdir(path.join(root, '.iocp-ft', 'partial'))).toHaveLength(1);
    const cleaner = await memorySetup({ root }, {}, server);
    await cleaner.client.delete('z.bin');
    expect(await fsp.readdir(path.join(root, '.iocp-ft', 'partial'))).toHaveLength(0);
    await expect(cleaner.client.delete('z.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NOT_FOUND' });
    cleaner.client.close();
  });

  it('a download cut off mid-way resumes from the local partial, byte-identical', async () => {
    const remote = path.join(root, 'dl.bin');
    await randomFile(remote, 4 * 1024 * 1024 + 11);
    const server = new FileServer({ root, chunkSize: 64 * 1024 });
    const out = path.join(dir, 'dl.bin');
    const first = await memorySetup({ root }, { window: 256 * 1024 }, server);
    await expect(
      first.client.get('dl.bin', out, { onProgress: (d) => d >= 1024 * 1024 && first.clientEnd.destroy() }),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_FT_CLOSED' });
    expect(await exists(out)).toBe(false);
    const kept = (await fsp.stat(downloadPartialPath(out))).size;
    expect(kept).toBeGreaterThan(0);
    const second = await memorySetup({ root }, {}, server);
    const r = await second.client.get('dl.bin', out);
    expect(r.resumedFrom).toBe(kept);
    expect(await sha256File(out)).toBe(await sha256File(remote));
    expect(await exists(downloadPartialPath(out))).toBe(false);
    // A partial that does not match the remote prefix makes the server start from 0.
    await fsp.writeFile(downloadPartialPath(out), 'not the prefix');
    const r2 = await second.client.get('dl.bin', out);
    expect(r2.resumedFrom).toBe(0);
    expect(await sha256File(out)).toBe(await sha256File(remote));
    second.client.close();
  });
});

describe('limits and faults', () => {
  it('refuses a file over maxFileSize with IOCP_ERR_FT_TOO_LARGE', async () => {
    await randomFile(src, 11);
    const { client } = await memorySetup({ root, maxFileSize: 10 });
    await expect(client.put(src, 'x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_TOO_LARGE' });
    client.close();
  });

  it('refuses an upload that does not fit the free space (statfs) with IOCP_ERR_FT_NO_SPACE', async () => {
    await randomFile(src, 11);
    const { client } = await memorySetup({ root, minFreeBytes: Number.MAX_SAFE_INTEGER - 100 });
    await expect(client.put(src, 'x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NO_SPACE' });
    client.close();
  });

  it('ENOSPC while writing (simulated at the fs layer): coded error, partial kept, server serves others', async () => {
    await randomFile(src, 1024 * 1024);
    const server = new FileServer({ root, chunkSize: 64 * 1024, fs: failingWrites('.iocp-ft', 300 * 1024) });
    const a = await memorySetup({ root }, {}, server);
    const b = await memorySetup({ root }, {}, server);
    await expect(a.client.put(src, 'full.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_NO_SPACE' });
    expect(await exists(path.join(root, 'full.bin'))).toBe(false);
    const partials = await fsp.readdir(path.join(root, '.iocp-ft', 'partial'));
    expect(partials).toHaveLength(1);
    // Same connection and another one keep working (reads are unaffected).
    await fsp.writeFile(path.join(root, 'other.txt'), 'hello');
    expect((await a.client.stat('other.txt')).size).toBe(5);
    expect((await b.client.get('other.txt', path.join(dir, 'other.txt'))).size).toBe(5);
    a.client.close();
    b.client.close();
  });

  it('EACCES reaches the client as IOCP_ERR_FT_ACCESS', async () => {
    await randomFile(src, 10);
    const { client } = await memorySetup({ root, fs: failingOpen('.iocp-ft', 'EACCES') });
    await expect(client.put(src, 'x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_ACCESS' });
    client.close();
  });

  it('a second upload to a name being uploaded gets IOCP_ERR_FT_BUSY; the first completes', async () => {
    await randomFile(src, 2 * 1024 * 1024);
    const server = new FileServer({ root, chunkSize: 64 * 1024, window: 128 * 1024 });
    const a = await memorySetup({ root }, {}, server);
    const b = await memorySetup({ root }, {}, server);
    let second: Promise<unknown> | undefined;
    const first = a.client.put(src, 'same.bin', {
      onProgress: () => {
        if (second) return;
        second = b.client.put(src, 'same.bin');
        second.catch(() => {});
      },
    });
    await first;
    await expect(second).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BUSY' });
    expect(await sha256File(path.join(root, 'same.bin'))).toBe(await sha256File(src));
    // Once the first is done the name is free again.
    await b.client.put(src, 'same.bin');
    a.client.close();
    b.client.close();
  });

  it('runs many transfers at once on one connection and caps them with IOCP_ERR_FT_TOO_MANY', async () => {
    const files = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const f = path.join(dir, `in${i}.bin`);
        await randomFile(f, 512 * 1024 + i);
        return f;
      }),
    );
    await randomFile(path.join(root, 'g.bin'), 700 * 1024);
    const { client } = await memorySetup({ root, chunkSize: 32 * 1024, window: 64 * 1024 });
    const results = await Promise.all([
      ...files.map((f, i) => client.put(f, `many/${i}.bin`)),
      ...[0, 1, 2].map((i) => client.get('g.bin', path.join(dir, `g${i}.bin`))),
    ]);
    expect(results).toHaveLength(7);
    for (let i = 0; i < 4; i++) expect(await sha256File(path.join(root, `many/${i}.bin`))).toBe(await sha256File(files[i]!));
    for (let i = 0; i < 3; i++) expect(await sha256File(path.join(dir, `g${i}.bin`))).toBe(await sha256File(path.join(root, 'g.bin')));
    const capped = await memorySetup({ root, maxTransfersPerConnection: 2 });
    const outcomes = await Promise.allSettled([0, 1, 2, 3].map(() => capped.client.stat('g.bin')));
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toContain('IOCP_ERR_FT_TOO_MANY');
    client.close();
    capped.client.close();
  });
});

describe('options', () => {
  it('validates options with IOCP_ERR_INVALID_OPTION', () => {
    expect(() => new FileServer({ root: '' })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
    expect(() => new FileServer({ root, chunkSize: 0 })).toThrow(/chunkSize/);
    expect(() => new FileServer({ root, chunkSize: 1 << 20, window: 1 << 10 })).toThrow(/window/);
    expect(() => new FileServer({ root, token: '' })).toThrow(/token/);
    expect(() => new FileServer({ root, maxFileSize: -1 })).toThrow(/maxFileSize/);
    const [a] = memoryPair();
    expect(() => new ClientSession(a, { window: 0 })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
  });
});

describe('requests waiting for drain (found by the protocol fuzzer)', () => {
  /** A server session on a connection the test chokes and drains by hand; counts open folder handles. */
  async function choked() {
    await fsp.mkdir(path.join(root, 'd'));
    await fsp.writeFile(path.join(root, 'd', 'x.txt'), 'x');
    let openDirs = 0;
    const { nodeFileSystem } = await import('../src/index.js');
    const fs = {
      ...nodeFileSystem,
      opendir: async (p: string) => {
        const d = await nodeFileSystem.opendir(p);
        openDirs++;
        const close = d.close.bind(d);
        let closed = false;
        const done = () => {
          if (!closed) {
            closed = true;
            openDirs--;
          }
        };
        // for-await closes the folder through its iterator's return() or at the end.
        const iterate = d[Symbol.asyncIterator].bind(d);
        Object.assign(d, {
          close: async () => {
            done();
            return close();
          },
          [Symbol.asyncIterator]: () => {
            const it = iterate();
            return {
              next: async () => {
                const r = await it.next();
                if (r.done) done();
                return r;
              },
              return: async () => {
                done();
                return it.return?.() ?? { done: true, value: undefined };
              },
              [Symbol.asyncIterator]() {
                return this;
              },
            };
          },
        });
        return d;
      },
    } as typeof nodeFileSystem;
    const server = new FileServer({ root, fs });
    await server.open();
    const sent: Buffer[] = [];
    const conn = {
      writable: true,
      send(f: Uint8Array) {
        sent.push(Buffer.from(f));
        return true;
      },
      close() {},
      destroy() {},
    };
    const session = server.attach(conn);
    session.onFrame(encodeMessage({ type: MessageType.Hello, version: 1, token: Buffer.alloc(0) }));
    conn.writable = false;
    const types = () => sent.map((f) => decodeMessage(f).type);
    return { session, conn, types, open: () => openDirs, server };
  }

  it('two LISTs waiting for drain both finish on one drain (one waiter used to replace the other)', async () => {
    const { session, conn, types, open, server } = await choked();
    session.onFrame(encodeMessage({ type: MessageType.List, id: 1, folder: '' }));
    session.onFrame(encodeMessage({ type: MessageType.List, id: 2, folder: 'd' }));
    await new Promise((r) => setTimeout(r, 50)); // both are waiting for drain now
    expect(types().filter((t) => t === MessageType.ListEnd)).toHaveLength(0);
    conn.writable = true;
    session.onDrain();
    await until(() => types().filter((t) => t === MessageType.ListEnd).length === 2);
    await until(() => open() === 0);
    await server.close({ drainMs: 0 });
  });

  it('a LIST waiting for drain when the connection closes ends and closes its folder', async () => {
    // Enough long names to fill a LIST_ITEMS batch (32 KiB) while the folder is being read.
    await fsp.mkdir(path.join(root, 'many'));
    for (let i = 0; i < 400; i++) await fsp.writeFile(path.join(root, 'many', `${String(i).padStart(4, '0')}-${'n'.repeat(100)}`), '');
    const { session, types, open, server } = await choked();
    session.onFrame(encodeMessage({ type: MessageType.List, id: 1, folder: 'many' }));
    await until(() => open() > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(open()).toBeGreaterThan(0); // held while waiting
    session.onClose(new Error('peer gone'));
    await until(() => open() === 0);
    expect(types().filter((t) => t === MessageType.ListEnd)).toHaveLength(0);
    expect(server.stats().connections).toBe(0);
    await server.close({ drainMs: 0 });
  });
});

describe('an upload dropped while it is being set up (found by the protocol fuzzer)', () => {
  it('keeps the name locked until the setup is over and leaves no empty partial behind', async () => {
    const { nodeFileSystem } = await import('../src/index.js');
    let opened = 0;
    const fs = {
      ...nodeFileSystem,
      open: async (...args: Parameters<typeof nodeFileSystem.open>) => {
        const fh = await nodeFileSystem.open(...args);
        opened++;
        return fh;
      },
    } as typeof nodeFileSystem;
    const server = new FileServer({ root, fs });
    await server.open();
    const conn = { writable: true, send: () => true, close() {}, destroy() {} };
    const session = server.attach(conn);
    session.onFrame(encodeMessage({ type: MessageType.Hello, version: 1, token: Buffer.alloc(0) }));
    session.onFrame(encodeMessage({ type: MessageType.Put, id: 1, size: 10, resume: false, name: 'late.bin' }));
    // The peer is gone before the server got to open the partial.
    session.onClose(new Error('peer gone'));
    expect(server.uploadsInProgress).toBe(1); // locked while the setup runs
    await until(() => server.uploadsInProgress === 0);
    // The lock is released only after the setup opened (and closed) the partial...
    expect(opened).toBe(1);
    // ...and the empty partial it created is gone: nothing of the upload outlives the session.
    expect(await fsp.readdir(path.join(root, '.iocp-ft', 'partial'))).toEqual([]);
    await server.close({ drainMs: 0 });
  });
});
