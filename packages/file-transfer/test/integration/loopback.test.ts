import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileClient, FileServer } from '../../src/index.js';
import { randomFile, rm, sha256File, tempDir } from '../helpers/files.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let dir: string;
let root: string;
let server: FileServer | undefined;
const clients: FileClient[] = [];

beforeEach(async () => {
  dir = await tempDir();
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await server?.close({ drainMs: 0 });
  server = undefined;
  await rm(dir);
});

async function start(opts: Partial<ConstructorParameters<typeof FileServer>[0]> = {}, listen: Parameters<FileServer['listen']>[0] = {}) {
  server = new FileServer({ root, ...opts });
  return server.listen({ host: '127.0.0.1', port: 0, ...listen });
}

async function connect(port: number, extra: Partial<Parameters<typeof FileClient.connect>[0]> = {}, host = '127.0.0.1') {
  const c = await FileClient.connect({ host, port, ...extra });
  clients.push(c);
  return c;
}

describe('over real loopback TCP (@iocp/transport)', () => {
  it('round-trips empty, 1-byte, odd-sized and multi-chunk files', async () => {
    const l = await start();
    const c = await connect(l.port);
    for (const size of [0, 1, 65537, 3 * 1024 * 1024 + 5]) {
      const src = path.join(dir, `in-${size}`);
      await randomFile(src, size);
      const up = await c.put(src, `sizes/${size}.bin`);
      expect(up.size).toBe(size);
      const out = path.join(dir, `out-${size}`);
      const down = await c.get(`sizes/${size}.bin`, out);
      expect(down.sha256).toBe(await sha256File(src));
      expect(await sha256File(out)).toBe(await sha256File(src));
      expect((await c.stat(`sizes/${size}.bin`)).size).toBe(size);
    }
    expect((await c.list('sizes')).length).toBe(4);
    const st = server!.stats();
    const total = 0 + 1 + 65537 + 3 * 1024 * 1024 + 5;
    expect(st).toMatchObject({ uploadsStarted: 4, uploadsPublished: 4, downloadsStarted: 4, downloadsCompleted: 4, bytesReceived: total, bytesSent: total, failures: {}, connections: 1 });
    expect(st.transport!.bytesIn).toBeGreaterThan(total);
  });

  it('serves several clients with concurrent transfers at once', async () => {
    const l = await start({ chunkSize: 64 * 1024, window: 256 * 1024 });
    const a = await connect(l.port);
    const b = await connect(l.port);
    const files = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const f = path.join(dir, `c${i}`);
        await randomFile(f, 1024 * 1024 + i * 7);
        return f;
      }),
    );
    await Promise.all(files.map((f, i) => (i % 2 ? a : b).put(f, `conc/${i}`)));
    await Promise.all(files.map((_f, i) => (i % 2 ? b : a).get(`conc/${i}`, path.join(dir, `back${i}`))));
    for (let i = 0; i < 4; i++) expect(await sha256File(path.join(dir, `back${i}`))).toBe(await sha256File(files[i]!));
  });

  it('refuses a missing or wrong token and accepts the right one', async () => {
    const l = await start({ token: 'tkn' });
    await expect(FileClient.connect({ host: '127.0.0.1', port: l.port })).rejects.toMatchObject({ code: 'IOCP_ERR_FT_AUTH' });
    await expect(FileClient.connect({ host: '127.0.0.1', port: l.port, token: 'nope' })).rejects.toMatchObject({ code: 'IOCP_ERR_FT_AUTH' });
    const c = await connect(l.port, { token: 'tkn' });
    expect(await c.list()).toEqual([]);
  });

  it('speaks TLS: verified with the CA, refused without it', async () => {
    const [cert, key] = await Promise.all([fsp.readFile(path.join(fixtures, 'cert.pem')), fsp.readFile(path.join(fixtures, 'key.pem'))]);
    const l = await start({}, { tls: { cert, key } });
    await expect(FileClient.connect({ host: '127.0.0.1', port: l.port, tls: true })).rejects.toThrow();
    const c = await connect(l.port, { tls: { ca: cert, servername: 'localhost' } });
    expect(c.encrypted).toBe(true);
    const src = path.join(dir, 'tls.bin');
    await randomFile(src, 200_001);
    await c.put(src, 'tls.bin');
    expect(await sha256File(path.join(root, 'tls.bin'))).toBe(await sha256File(src));
  });

  it('fits DATA frames to a client with a smaller frame limit (HELLO maxChunk)', async () => {
    const l = await start({ chunkSize: 256 * 1024 });
    const c = await connect(l.port, { maxFrameLength: 16 * 1024 });
    const src = path.join(dir, 'small-frames.bin');
    await randomFile(src, 300_000);
    await c.put(src, 'sf.bin');
    const out = path.join(dir, 'sf-back.bin');
    await c.get('sf.bin', out);
    expect(await sha256File(out)).toBe(await sha256File(src));
  });

  it('listens on IPv6 loopback', async () => {
    const l = await start({}, { host: '::1' });
    expect(l.address).toBe(`[::1]:${l.port}`);
    const c = await connect(l.port, {}, '::1');
    expect(await c.list()).toEqual([]);
  });

  it('an upload cut by a connection reset resumes on a new connection', async () => {
    const l = await start({ chunkSize: 64 * 1024, window: 256 * 1024 });
    const src = path.join(dir, 'r.bin');
    await randomFile(src, 6 * 1024 * 1024);
    const a = await connect(l.port);
    await expect(
      a.put(src, 'r.bin', {
        onProgress: (d) => {
          if (d >= 2 * 1024 * 1024) (a as unknown as { conn: { destroy(): void } }).conn.destroy();
        },
      }),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_FT_CLOSED' });
    const b = await connect(l.port);
    let r = await b.put(src, 'r.bin').catch((err) => err);
    if (r?.code === 'IOCP_ERR_FT_BUSY') r = await b.put(src, 'r.bin');
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(await sha256File(path.join(root, 'r.bin'))).toBe(await sha256File(src));
  });
});

describe('first-data timeout', () => {
  it('closes a peer that never says HELLO', async () => {
    server = new FileServer({ root, portOptions: { timeouts: { firstDataMs: 200 } } });
    const l = await server.listen({ port: 0 });
    const s = net.connect(l.port, '127.0.0.1');
    const t0 = Date.now();
    await new Promise<void>((resolve) => s.on('close', () => resolve()).on('error', () => {}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });
});
