import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { killStarted, runNode, waitUntil } from '@iocp/cli-support/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { KV_SERVER, startKv } from './support.js';

afterEach(killStarted);

/** A v2 PROXY header (TCP over IPv4) naming `src:sport` as the client. */
function v2Header(src: string, sport: number): Buffer {
  const h = Buffer.alloc(28);
  Buffer.from('0d0a0d0a000d0a515549540a', 'hex').copy(h);
  h[12] = 0x21;
  h[13] = 0x11;
  h.writeUInt16BE(12, 14);
  src.split('.').forEach((o, i) => {
    h[16 + i] = Number(o);
  });
  h.set([192, 0, 2, 1], 20);
  h.writeUInt16BE(sport, 24);
  h.writeUInt16BE(6379, 26);
  return h;
}

/** Connect from `from` to 127.0.0.1:`port`, write `bytes`, collect everything until the server closes or `until` matches. */
async function exchange(from: string, port: number, bytes: Buffer, until?: RegExp): Promise<{ text: string; closed: boolean }> {
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: from });
  await once(socket, 'connect');
  let text = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {});
  socket.write(bytes);
  await waitUntil(() => closed || until?.test(text) === true, 30_000, 5);
  socket.destroy();
  return { text, closed };
}

async function scrape(kvStdout: string): Promise<string> {
  const at = kvStdout.split('\n').find((l) => l.startsWith('metrics '))?.slice('metrics '.length);
  return (await fetch(`http://${at}/metrics`)).text();
}

describe('kv-server --proxy-protocol', () => {
  it('serves the client a trusted header names (logged with the balancer); a malformed or untrusted header is refused, logged once, counted', async () => {
    const kv = await startKv(['--metrics', '127.0.0.1:0', '--log-level', 'debug', '--proxy-protocol', '--trusted-proxy', '127.0.0.1/32']);
    const ok = await exchange('127.0.0.1', kv.port, Buffer.concat([v2Header('203.0.113.7', 40001), Buffer.from('*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')]), /\+PONG\r\n\+OK\r\n$/);
    expect(ok.text).toBe('+PONG\r\n+OK\r\n');
    // No header: the RESP request itself is not a PROXY header.
    const bad = await exchange('127.0.0.1', kv.port, Buffer.from('*1\r\n$4\r\nPING\r\n'));
    expect(bad).toEqual({ text: '', closed: true });
    // A well-formed header from a peer outside --trusted-proxy (127.0.0.2 is loopback, not 127.0.0.1/32).
    const untrusted = await exchange('127.0.0.2', kv.port, Buffer.concat([v2Header('203.0.113.9', 40002), Buffer.from('*1\r\n$4\r\nPING\r\n')]));
    expect(untrusted).toEqual({ text: '', closed: true });

    let metrics = '';
    await waitUntil(async () => {
      metrics = await scrape(kv.server.stdout());
      return /^iocp_kv_closed_connections_total\{reason="proxy-header"\} 2$/m.test(metrics);
    });
    expect(metrics).toMatch(/^iocp_kv_connections_proxied_total 1$/m);
    expect(metrics).toMatch(/^iocp_kv_connections_accepted_total 1$/m);
    const logs = kv.server.stderr().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const opened = logs.filter((l) => l.msg === 'connection open');
    expect(opened.map((l) => l.peer)).toEqual(['203.0.113.7:40001']);
    expect(opened[0]?.proxy).toMatch(/^127\.0\.0\.1:\d+$/);
    const refused = logs.filter((l) => l.msg === 'connection refused');
    expect(refused).toHaveLength(2);
    expect(refused.map((l) => l.reason)).toEqual(['proxy-header', 'proxy-header']);
    expect(refused.map((l) => l.proxy as string).sort()).toEqual([expect.stringMatching(/^127\.0\.0\.1:/), expect.stringMatching(/^127\.0\.0\.2:/)]);
  });

  it('a bad --trusted-proxy exits 2 with one line; so does --proxy-protocol without one', async () => {
    const bad = await runNode(KV_SERVER, ['--proxy-protocol', '--trusted-proxy', '10.0.0.0/40'], { timeoutMs: 30_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^kv-server: IOCP_ERR_USAGE: .*--trusted-proxy.*'10\.0\.0\.0\/40' is not 0\.\.32\n$/);
    const missing = await runNode(KV_SERVER, ['--proxy-protocol'], { timeoutMs: 30_000 });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
