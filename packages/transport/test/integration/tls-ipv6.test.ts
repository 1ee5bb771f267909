import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { lengthPrefixed } from '@iocp/framing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompletionPort, checkServerIdentity } from '../../src/index.js';
import { Cleanup, hasOpenssl, selfSigned } from './helpers.js';

/** Loopback IPv6 usable here (containers without it skip these tests). */
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const s = createServer();
  s.once('error', () => resolve(false));
  s.listen(0, '::1', () => s.close(() => resolve(true)));
});

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

let dir = '';
let v6: { cert: string; key: string } = { cert: '', key: '' };
let v4only: { cert: string; key: string } = { cert: '', key: '' };
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'iocp-tls6-'));
  v6 = selfSigned(dir, 'v6', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1');
  v4only = selfSigned(dir, 'v4');
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The peer certificate a TLS server presents (verification off: we only want the object). */
async function peerCertificate(pem: { cert: string; key: string }): Promise<PeerCertificate> {
  const port = cleanup.port(new CompletionPort());
  const l = await port.listen({ codec: lengthPrefixed(), tls: pem }, {});
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: l.port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe.skipIf(!hasOpenssl)('checkServerIdentity (IPv6 literals on every Node version; needs openssl to make certificates)', () => {
  it('accepts an IPv6 address listed as an IP SAN in any spelling, refuses others like node:tls', async () => {
    const cert = await peerCertificate(v6);
    expect(checkServerIdentity('::1', cert)).toBeUndefined();
    expect(checkServerIdentity('0:0::1', cert)).toBeUndefined();
    expect(checkServerIdentity('127.0.0.1', cert)).toBeUndefined();
    expect(checkServerIdentity('localhost', cert)).toBeUndefined();
    expect(checkServerIdentity('::2', cert)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: '::2' });
    expect(checkServerIdentity('10.0.0.1', cert)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(checkServerIdentity('example.com', cert)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const other = await peerCertificate(v4only);
    expect(checkServerIdentity('::1', other)?.message).toMatch(/IP: ::1 is not in the cert's list: 127\.0\.0\.1/);
  });
});

describe.skipIf(!hasOpenssl || !hasIpv6)('TLS to an IPv6 literal, verified (needs openssl and an IPv6 loopback)', () => {
  it('connects to [::1] when the certificate lists ::1, and refuses one that does not (IOCP_ERR_TLS)', async () => {
    const port = cleanup.port(new CompletionPort());
    const codec = lengthPrefixed();
    const good = await port.listen({ host: '::1', codec, tls: v6 }, { onMessage: (c, f) => void c.send(f) });
    const got: string[] = [];
    const conn = await port.connect({ host: '::1', port: good.port, codec, tls: { ca: v6.cert } }, {
      onMessage: (_c, f) => void got.push(f.toString()),
    });
    expect(conn.encrypted).toBe(true);
    conn.send(Buffer.from('over v6'));
    await expect.poll(() => got).toEqual(['over v6']);

    const bad = await port.listen({ host: '::1', codec, tls: v4only }, {});
    await expect(port.connect({ host: '::1', port: bad.port, codec, tls: { ca: v4only.cert } }, {})).rejects.toMatchObject({
      code: 'IOCP_ERR_TLS',
    });
  });
});
