import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { lengthPrefixed } from '@iocp/framing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompletionPort } from '../../src/index.js';
import { Cleanup, closeRecorder, frame, hasOpenssl, plainClient, selfSigned, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let dir = '';
let cert = '';
let key = '';
let clientCert = '';
let clientKey = '';
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'iocp-tls-'));
  ({ cert, key } = selfSigned(dir, 'server'));
  ({ cert: clientCert, key: clientKey } = selfSigned(dir, 'client', '/CN=iocp-test-client', 'extendedKeyUsage=clientAuth'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('TLS (self-signed certificate made with openssl)', () => {
  it('echoes over TLS with a verified client (ca) and refuses an unverified one', async () => {
    const port = cleanup.port(new CompletionPort());
    const codec = lengthPrefixed();
    const serverRec = closeRecorder();
    const l = await port.listen({ codec, tls: { cert, key } }, { onMessage: (c, f) => void c.send(f), onClose: serverRec.onClose });
    const got: string[] = [];
    const conn = await port.connect({ host: 'localhost', port: l.port, codec, tls: { ca: cert } }, {
      onMessage(_c, f) {
        got.push(f.toString());
      },
    });
    expect(conn.encrypted).toBe(true);
    conn.send(Buffer.from('secret'));
    conn.send(Buffer.from('s2'));
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['secret', 's2']);

    // Verification on (system CAs): a self-signed server is refused.
    const rec = closeRecorder();
    await expect(port.connect({ host: 'localhost', port: l.port, codec, tls: true }, { onClose: rec.onClose })).rejects.toMatchObject({
      code: 'IOCP_ERR_TLS',
    });
    expect(rec.closes[0]!.reason).toBe('tls-error');
    // The explicit opt-out connects.
    const insecure = await port.connect({ host: '127.0.0.1', port: l.port, codec, tls: { rejectUnauthorized: false } }, {});
    expect(insecure.open).toBe(true);
    insecure.close();
    await waitFor(() => serverRec.closes.some((c) => c.reason === 'tls-error'));
  });

  it('echoes large frames over TLS through a paused reader (asynchronous writes)', async () => {
    const port = cleanup.port(new CompletionPort());
    const codec = lengthPrefixed();
    const l = await port.listen({ codec, tls: { cert, key } }, { onMessage: (c, f) => void c.send(f) });
    const got: Buffer[] = [];
    const conn = await port.connect({ host: '127.0.0.1', port: l.port, codec, tls: { ca: cert, servername: 'localhost' } }, {
      onMessage(_c, f) {
        got.push(Buffer.from(f));
      },
    });
    const frames = Array.from({ length: 8 }, (_, i) => Buffer.alloc(300_000 + i, i + 1));
    conn.pause();
    for (const f of frames) conn.send(f);
    await new Promise((r) => setTimeout(r, 100));
    conn.resume();
    await waitFor(() => got.length === 8, 10_000, 'tls echoes');
    got.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
    await waitFor(() => port.stats().queuedBytes === 0);
  });

  it('requestCert: a client with a trusted certificate is served, one without is refused with tls-error', async () => {
    const port = cleanup.port(new CompletionPort());
    const codec = lengthPrefixed();
    const rec = closeRecorder();
    const l = await port.listen({ codec, tls: { cert, key, requestCert: true, ca: clientCert } }, {
      onMessage: (c, f) => void c.send(f),
      onClose: rec.onClose,
    });
    const got: string[] = [];
    const good = await port.connect({ host: 'localhost', port: l.port, codec, tls: { ca: cert, cert: clientCert, key: clientKey } }, {
      onMessage(_c, f) {
        got.push(f.toString());
      },
    });
    good.send(Buffer.from('mutual'));
    await waitFor(() => got.length === 1);
    // Without a certificate: TLS 1.3 clients may see the handshake finish before the server
    // refuses them, so only the server's verdict is checked.
    await port.connect({ host: 'localhost', port: l.port, codec, tls: { ca: cert } }, {}).catch(() => undefined);
    await waitFor(() => rec.closes.some((c) => c.reason === 'tls-error'), 5000, 'server tls-error');
    expect(rec.closes.find((c) => c.reason === 'tls-error')!.code).toBe('IOCP_ERR_TLS');
    expect(good.open).toBe(true);
    good.send(Buffer.from('still'));
    await waitFor(() => got.length === 2);
  });

  it('a plain-TCP peer on a TLS listener fails the handshake with tls-error', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed(), tls: { cert, key } }, { onClose: rec.onClose });
    const c = cleanup.socket(await plainClient(l.port));
    c.socket.write('GET / HTTP/1.0\r\n\r\n');
    await c.waitClosed();
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'tls-error', code: 'IOCP_ERR_TLS' });
  });

  it('works with a plain node:tls client', async () => {
    const port = cleanup.port(new CompletionPort());
    const l = await port.listen({ codec: lengthPrefixed(), tls: { cert, key } }, { onMessage: (c, f) => void c.send(f) });
    const s = tlsConnect({ host: '127.0.0.1', port: l.port, ca: cert });
    cleanup.socket({ socket: s });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.write(frame('over tls'));
    await waitFor(() => Buffer.concat(chunks).length === 12);
    expect(Buffer.concat(chunks).subarray(4).toString()).toBe('over tls');
  });
});

describe('bad frames', () => {
  it('an oversized frame header closes only that connection with frame-too-long', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed({ maxFrameLength: 1024 }) }, { onMessage: (c, f) => void c.send(f), onClose: rec.onClose });
    const bad = cleanup.socket(await plainClient(l.port));
    const good = cleanup.socket(await plainClient(l.port));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0x7fff_ffff);
    bad.socket.write(header);
    await bad.waitClosed();
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'frame-too-long', code: 'IOCP_ERR_FRAME_TOO_LONG' })]);
    good.send('fine');
    await good.waitFrames(1);
    expect(port.stats().connections.closed['frame-too-long']).toBe(1);
  });

  it('a peer that ends mid-frame is closed with frame-corrupt (truncated)', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, { onClose: rec.onClose });
    const c = cleanup.socket(await plainClient(l.port));
    c.socket.end(Buffer.from([0, 0, 0, 10, 1, 2]));
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-corrupt', code: 'IOCP_ERR_FRAME_TRUNCATED' });
  });
});
