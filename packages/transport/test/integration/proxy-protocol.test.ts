import { mkdtempSync, rmSync } from 'node:fs';
import { BlockList, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { FrameReader, lengthPrefixed } from '@iocp/framing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection, type Handler, type PeerInfo } from '../../src/index.js';
import { encodeLocalHeader, encodeProxyHeader } from '../../src/internal/proxy-protocol.js';
import { Cleanup, frame, hasOpenssl, selfSigned, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const codec = lengthPrefixed();
const LOOPBACK = ['127.0.0.1/32'];

function v1(src: string, sport: number): Buffer {
  const destinationAddress = src.includes(':') ? '2001:db8::7' : '192.0.2.1';
  return encodeProxyHeader({ version: 1, sourceAddress: src, sourcePort: sport, destinationAddress, destinationPort: 7000 });
}
function v2(src: string, sport: number): Buffer {
  return encodeProxyHeader({ version: 2, sourceAddress: src, sourcePort: sport, destinationAddress: '192.0.2.1', destinationPort: 7000 });
}

/** A raw client: writes `chunks` one per turn, decodes echoed frames, records the close. */
async function rawClient(port: number, chunks: Buffer[]) {
  const socket = connect({ host: '127.0.0.1', port });
  const reader = new FrameReader(codec.createDecoder());
  const c = { socket, frames: [] as string[], closed: false };
  cleanup.socket(c);
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let f = reader.next(); f !== undefined; f = reader.next()) c.frames.push(Buffer.from(f).toString());
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    c.closed = true;
  });
  // a refused peer may see the reset before 'connect'
  await new Promise((r) => socket.once('connect', r).once('close', r));
  for (const chunk of chunks) {
    socket.write(chunk);
    await new Promise((r) => setImmediate(r));
  }
  return c;
}

/** An echo handler that records what the app saw of each connection. */
function recorder(extra: Partial<Handler> = {}) {
  const opened: Array<Pick<Connection, 'remoteAddress' | 'remotePort' | 'remoteFamily' | 'proxyAddress' | 'proxyPort' | 'proxyHeader'>> = [];
  const errors: Array<{ peer: PeerInfo; error: Error }> = [];
  const accepted: PeerInfo[] = [];
  const handler: Handler = {
    onAccept(peer) {
      accepted.push(peer);
      return true;
    },
    onOpen(conn) {
      const { remoteAddress, remotePort, remoteFamily, proxyAddress, proxyPort, proxyHeader } = conn;
      opened.push({ remoteAddress, remotePort, remoteFamily, proxyAddress, proxyPort, proxyHeader });
    },
    onMessage: (c, f) => void c.send(f),
    onProxyHeaderError(peer, error) {
      errors.push({ peer, error });
    },
    ...extra,
  };
  return { handler, opened, errors, accepted };
}

describe('PROXY protocol on a listener', () => {
  it('v2: the header names the client; frames in the same chunk are not lost', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const c = await rawClient(l.port, [Buffer.concat([v2('203.0.113.7', 40001), frame('one'), frame('two')])]);
    await waitFor(() => c.frames.length === 2);
    expect(c.frames).toEqual(['one', 'two']);
    expect(rec.accepted[0]).toMatchObject({ remoteAddress: '203.0.113.7', remotePort: 40001, remoteFamily: 'IPv4' });
    expect(rec.opened[0]).toMatchObject({
      remoteAddress: '203.0.113.7',
      remotePort: 40001,
      remoteFamily: 'IPv4',
      proxyAddress: '127.0.0.1',
      proxyPort: c.socket.localPort,
    });
    expect(rec.opened[0]!.proxyHeader).toMatchObject({ version: 2, destinationAddress: '192.0.2.1', destinationPort: 7000 });
    expect(port.stats().connections).toMatchObject({ accepted: 1, proxied: 1 });
  });

  it('v1 and v2 cut at every byte, frames behind them echoed in order', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    for (const header of [v1('2001:db8::1', 5), v2('198.51.100.2', 6)]) {
      const bytes = Buffer.concat([header, frame('a'), frame('b')]);
      const chunks = [...bytes].map((b) => Buffer.from([b]));
      const c = await rawClient(l.port, chunks);
      await waitFor(() => c.frames.length === 2);
      expect(c.frames).toEqual(['a', 'b']);
    }
    expect(rec.opened.map((o) => [o.remoteAddress, o.remoteFamily])).toEqual([
      ['2001:db8::1', 'IPv6'],
      ['198.51.100.2', 'IPv4'],
    ]);
  });

  it('admission control runs on the client the header names: per-IP caps, deny lists', async () => {
    const deny = new BlockList();
    deny.addAddress('198.51.100.66');
    const port = cleanup.port(new CompletionPort({ limits: { maxConnectionsPerIp: 1, deny } }));
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const a = await rawClient(l.port, [Buffer.concat([v2('198.51.100.2', 1), frame('a')])]);
    await waitFor(() => a.frames.length === 1);
    // same balancer, another client: admitted although the socket peer (127.0.0.1) already has one
    const b = await rawClient(l.port, [Buffer.concat([v1('198.51.100.3', 2), frame('b')])]);
    await waitFor(() => b.frames.length === 1);
    // the same client again: over its cap
    const again = await rawClient(l.port, [Buffer.concat([v2('198.51.100.2', 3), frame('x')])]);
    await waitFor(() => again.closed);
    const denied = await rawClient(l.port, [Buffer.concat([v2('198.51.100.66', 4), frame('x')])]);
    await waitFor(() => denied.closed);
    expect(port.stats().connections.refused).toMatchObject({ 'per-ip': 1, deny: 1 });
    expect(again.frames).toEqual([]);
    expect(rec.opened.map((o) => o.remoteAddress)).toEqual(['198.51.100.2', '198.51.100.3']);
  });

  it('refuses malformed, missing, unknown-family and untrusted headers with proxy-header; others keep working', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const strictTrust = await port.listen({ codec, proxyProtocol: { trusted: ['10.0.0.0/8'] } }, rec.handler);
    const good = await rawClient(l.port, [Buffer.concat([v2('203.0.113.1', 1), frame('ok')])]);
    await waitFor(() => good.frames.length === 1);
    const unknownFamily = v2('203.0.113.1', 1);
    unknownFamily[13] = 0x41;
    const bad = [
      Buffer.from('PROXY TCP4 1.2.3.04 1.2.3.4 1 2\r\n'),
      frame('no header'),
      unknownFamily,
    ];
    for (const b of bad) {
      const c = await rawClient(l.port, [b]);
      await waitFor(() => c.closed);
    }
    const untrusted = await rawClient(strictTrust.port, [Buffer.concat([v2('203.0.113.1', 1), frame('x')])]);
    await waitFor(() => untrusted.closed);
    await waitFor(() => rec.errors.length === 4);
    expect(rec.errors.map((e) => e.error.message)).toEqual([
      expect.stringMatching(/v1 source address '1.2.3.04' is not a canonical IPv4/),
      expect.stringMatching(/no PROXY header \(the stream starts with 0x00000009/),
      expect.stringMatching(/v2 address family 4 is unknown/),
      expect.stringMatching(/127.0.0.1 is not a trusted proxy/),
    ]);
    expect(rec.errors.every((e) => (e.error as { code?: string }).code === 'IOCP_ERR_PROXY_HEADER')).toBe(true);
    expect(rec.errors[0]!.peer.remoteAddress).toBe('127.0.0.1');
    expect(port.stats().connections.closed['proxy-header']).toBe(4);
    expect(rec.opened).toHaveLength(1);
    good.socket.write(frame('still'));
    await waitFor(() => good.frames.length === 2);
  });

  it('the header must arrive within the deadline (handshakeMs), enforced by the watchdog', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { handshakeMs: 300 } }));
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const partial = await rawClient(l.port, [v2('203.0.113.1', 1).subarray(0, 10)]);
    const silent = await rawClient(l.port, []);
    await waitFor(() => partial.closed && silent.closed);
    expect(rec.errors.map((e) => e.error.message).sort()).toEqual([
      'PROXY header: not complete within 300 ms (0 bytes received)',
      'PROXY header: not complete within 300 ms (10 bytes received)',
    ]);
    expect(rec.opened).toHaveLength(0);
    await waitFor(() => port.stats().connections.current === 0);
  });

  it('a peer that closes inside the header (or before it) is refused with how much it sent', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const cut = await rawClient(l.port, [v2('203.0.113.1', 1).subarray(0, 20)]);
    cut.socket.end();
    const none = await rawClient(l.port, []);
    none.socket.end();
    await waitFor(() => rec.errors.length === 2);
    expect(rec.errors.map((e) => e.error.message).sort()).toEqual([
      'PROXY header: the peer closed after 20 bytes of an incomplete header',
      'PROXY header: the peer closed before sending one',
    ]);
    expect(port.stats().connections.closed['proxy-header']).toBe(2);
    expect(rec.opened).toHaveLength(0);
  });

  it('LOCAL (a health check) is accepted and closed without onOpen', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const c = await rawClient(l.port, [encodeLocalHeader()]);
    await waitFor(() => c.closed);
    expect(port.stats().connections).toMatchObject({ proxyLocal: 1, accepted: 0 });
    expect(rec.opened).toHaveLength(0);
    expect(rec.errors).toHaveLength(0);
  });

  it('required: false serves trusted peers without a header and untrusted peers directly', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { handshakeMs: 200 } }));
    const rec = recorder({ onOpen: (c) => void c.send(Buffer.from(`hi ${c.remoteAddress}`)) });
    const opt = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK, required: false } }, rec.handler);
    const untrustedOpt = await port.listen({ codec, proxyProtocol: { trusted: ['10.0.0.0/8'], required: false } }, rec.handler);
    const direct = await rawClient(opt.port, [frame('plain')]);
    await waitFor(() => direct.frames.length === 2);
    expect(direct.frames).toEqual(['hi 127.0.0.1', 'plain']);
    const withHeader = await rawClient(opt.port, [Buffer.concat([v1('203.0.113.9', 9), frame('p')])]);
    await waitFor(() => withHeader.frames.length === 2);
    expect(withHeader.frames).toEqual(['hi 203.0.113.9', 'p']);
    // a trusted peer that says nothing is served as itself once the deadline passed (server speaks first)
    const silent = await rawClient(opt.port, []);
    await waitFor(() => silent.frames.length === 1);
    expect(silent.frames).toEqual(['hi 127.0.0.1']);
    // untrusted: never read as a header, served at once
    const u = await rawClient(untrustedOpt.port, []);
    await waitFor(() => u.frames.length === 1);
    expect(rec.errors).toHaveLength(0);
  });

  it('counts waiting sockets against maxConnections and drops them when the port closes', async () => {
    const port = new CompletionPort({ limits: { maxConnections: 2 } });
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const waiting = [await rawClient(l.port, []), await rawClient(l.port, [])];
    const third = await rawClient(l.port, []);
    await waitFor(() => third.closed);
    expect(port.stats().connections.refused['max-connections']).toBe(1);
    await port.close({ drainMs: 100 });
    await waitFor(() => waiting.every((w) => w.closed));
    expect(port.stats().connections.refused.shutdown).toBe(2);
  });

  it('validates proxyProtocol options up front', async () => {
    const port = cleanup.port(new CompletionPort());
    const bad: unknown[] = [
      { trusted: [] },
      { trusted: ['127.0.0.1/33'] },
      { trusted: ['localhost'] },
      { trusted: ['10.0.0.0/08'] },
      { trusted: LOOPBACK, versions: [3] },
      { trusted: LOOPBACK, required: 'yes' },
      { trusted: LOOPBACK, maxHeaderBytes: 100 },
      { trusted: LOOPBACK, maxHeaderBytes: 70000 },
      { trusted: LOOPBACK, timeout: 5 },
    ];
    for (const proxyProtocol of bad) {
      await expect(port.listen({ codec, proxyProtocol } as never, {})).rejects.toMatchObject({ code: 'IOCP_ERR_INVALID_OPTION' });
    }
    await expect(port.listen({ codec, proxyProtocol: { trusted: LOOPBACK, timeout: 5 } } as never, {})).rejects.toThrow(
      /unknown option proxyProtocol.timeout/,
    );
    expect(port.listeners).toHaveLength(0);
  });
});

describe('connect() with proxyProtocol', () => {
  it('sends the header first; the listener sees the source it names (v1 and v2)', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    for (const version of [1, 2] as const) {
      const got: string[] = [];
      const conn = await port.connect(
        { host: '127.0.0.1', port: l.port, codec, proxyProtocol: { version, source: { address: '192.0.2.44', port: 4444 + version } } },
        { onMessage: (_c, f) => void got.push(f.toString()) },
      );
      conn.send(Buffer.from(`v${version}`));
      await waitFor(() => got.length === 1);
      expect(got).toEqual([`v${version}`]);
    }
    expect(rec.opened.map((o) => [o.remoteAddress, o.remotePort, o.proxyHeader?.version, o.proxyHeader?.destinationPort])).toEqual([
      ['192.0.2.44', 4445, 1, l.port],
      ['192.0.2.44', 4446, 2, l.port],
    ]);
  });

  it('sends v2 TLVs, which the listener exposes', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    await port.connect(
      {
        host: '127.0.0.1',
        port: l.port,
        codec,
        proxyProtocol: {
          version: 2,
          source: { address: '::1', port: 1 },
          destination: { address: '::2', port: 2 },
          tlvs: [
            { type: 0x02, value: Buffer.from('svc.example') },
            { type: 0xe1, value: Buffer.from([9]) },
          ],
        },
      },
      {},
    );
    await waitFor(() => rec.opened.length === 1);
    expect(rec.opened[0]!.proxyHeader).toMatchObject({ family: 'IPv6', sourceAddress: '::1', authority: 'svc.example' });
    expect(rec.opened[0]!.proxyHeader!.tlvs[1]).toEqual({ type: 0xe1, value: Buffer.from([9]) });
  });

  it('validates the client options', async () => {
    const port = cleanup.port(new CompletionPort());
    const base = { host: '127.0.0.1', port: 1, codec };
    const bad: unknown[] = [
      { version: 3, source: { address: '1.2.3.4', port: 1 } },
      { version: 1 },
      { version: 1, source: { address: 'host', port: 1 } },
      { version: 1, source: { address: '::1', port: 1 } },
      { version: 1, source: { address: '1.2.3.4', port: 70000 } },
      { version: 1, source: { address: '1.2.3.4', port: 1 }, tlvs: [] },
      { version: 2, source: { address: '1.2.3.4', port: 1 }, extra: 1 },
    ];
    for (const proxyProtocol of bad) {
      await expect(port.connect({ ...base, proxyProtocol } as never, {})).rejects.toMatchObject({ code: 'IOCP_ERR_INVALID_OPTION' });
    }
    await expect(
      port.connect({ ...base, host: 'localhost', proxyProtocol: { version: 1, source: { address: '1.2.3.4', port: 1 } } }, {}),
    ).rejects.toThrow(/destination is required when host is not an IP literal/);
  });
});

let dir = '';
let cert = '';
let key = '';
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'iocp-proxy-tls-'));
  ({ cert, key } = selfSigned(dir, 'server'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('PROXY protocol before TLS (self-signed certificate made with openssl)', () => {
  it('the header is read on the TCP socket, then the handshake starts (header and ClientHello in one chunk)', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, tls: { cert, key }, proxyProtocol: { trusted: LOOPBACK } }, rec.handler);
    const tcp: Socket = connect({ host: '127.0.0.1', port: l.port });
    cleanup.socket({ socket: tcp });
    // cork: the header and the ClientHello leave in one segment
    tcp.cork();
    tcp.write(v2('203.0.113.5', 5));
    const s = tlsConnect({ socket: tcp, ca: cert, servername: 'localhost' });
    s.on('error', () => {});
    process.nextTick(() => tcp.uncork());
    await new Promise((r) => s.once('secureConnect', r));
    const reader = new FrameReader(codec.createDecoder());
    const got: string[] = [];
    s.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let f = reader.next(); f !== undefined; f = reader.next()) got.push(Buffer.from(f).toString());
    });
    s.write(frame('secret'));
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['secret']);
    expect(rec.opened[0]).toMatchObject({ remoteAddress: '203.0.113.5', proxyAddress: '127.0.0.1' });
  });

  it('connect() sends the header before its TLS handshake', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = recorder();
    const l = await port.listen({ codec, tls: { cert, key }, proxyProtocol: { trusted: LOOPBACK, versions: [1] } }, rec.handler);
    const got: string[] = [];
    const conn = await port.connect(
      {
        host: '127.0.0.1',
        port: l.port,
        codec,
        tls: { ca: cert, servername: 'localhost' },
        proxyProtocol: { version: 1, source: { address: '198.51.100.8', port: 8 } },
      },
      { onMessage: (_c, f) => void got.push(f.toString()) },
    );
    expect(conn.encrypted).toBe(true);
    conn.send(Buffer.from('over tls'));
    await waitFor(() => got.length === 1);
    expect(rec.opened[0]).toMatchObject({ remoteAddress: '198.51.100.8', remotePort: 8 });
  });
});
