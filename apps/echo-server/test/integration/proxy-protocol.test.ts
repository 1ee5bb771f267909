import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_BIN, run, startServer } from '../support/processes.js';
import { cleanup, socketTo } from '../support/sockets.js';
import { eventually, framedEcho, frame, metricValue, scrape, untilClosed } from '../support/wire.js';

afterEach(cleanup);

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
  h.writeUInt16BE(7000, 26);
  return h;
}

describe('echo-server --proxy-protocol', () => {
  it('serves, logs and limits the client the header names; a bad header is refused, logged once and counted', async () => {
    const server = await startServer([
      '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--log-level', 'debug',
      '--proxy-protocol', '--trusted-proxy', '127.0.0.0/8', '--max-conn-per-ip', '1',
    ]);
    const address = server.listening[0]!;
    const a = await socketTo(address);
    a.write(v2Header('203.0.113.7', 40001));
    expect((await framedEcho(a, Buffer.from('through the balancer'))).toString()).toBe('through the balancer');
    // Another connection from the same balancer for another client is not over the per-IP cap...
    const b = await socketTo(address);
    b.write(Buffer.from('PROXY TCP4 203.0.113.8 192.0.2.1 40002 7000\r\n'));
    expect((await framedEcho(b, Buffer.from('second client'))).toString()).toBe('second client');
    // ...the same client again is.
    const again = await socketTo(address);
    again.write(Buffer.concat([v2Header('203.0.113.7', 40003), frame(Buffer.from('x'))]));
    expect((await untilClosed(again)).length).toBe(0);
    // Garbage instead of a header.
    const bad = await socketTo(address);
    bad.write(frame(Buffer.from('no header')));
    expect((await untilClosed(bad)).length).toBe(0);

    const metrics = await eventually(async () => {
      const text = await scrape(server.metrics!);
      return metricValue(text, 'iocp_connections_closed_total{reason="proxy-header"}') === 1 ? text : undefined;
    });
    expect(metricValue(metrics, 'iocp_connections_refused_total{reason="per-ip"}')).toBe(1);
    expect(metricValue(metrics, 'iocp_connections_proxied_total')).toBe(2);
    const logs = server.stderr().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const opened = logs.filter((l) => l.msg === 'connection open');
    expect(opened.map((l) => l.peer)).toEqual(['203.0.113.7:40001', '203.0.113.8:40002']);
    expect(opened.every((l) => typeof l.proxy === 'string' && (l.proxy as string).startsWith('127.0.0.1:'))).toBe(true);
    const refused = logs.filter((l) => l.msg === 'connection refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: 'proxy-header', err: expect.stringMatching(/no PROXY header/) });
  });

  it('a bad --trusted-proxy exits 2 with one line; so does --proxy-protocol without one', async () => {
    const bad = await run(SERVER_BIN, ['--proxy-protocol', '--trusted-proxy', '10.0.0.0/40']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^echo-server: IOCP_ERR_USAGE: .*--trusted-proxy.*'10\.0\.0\.0\/40' is not 0\.\.32\n$/);
    const missing = await run(SERVER_BIN, ['--proxy-protocol']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
