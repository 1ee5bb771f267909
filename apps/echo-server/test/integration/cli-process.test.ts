import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BIN, SERVER_BIN, run, splitAddress, startServer } from '../support/processes.js';
import { cleanup, ipv6Available, socketTo } from '../support/sockets.js';
import { eventually, frame, metricValue, scrape, untilClosed } from '../support/wire.js';

const TLS_CERT = fileURLToPath(new URL('../fixtures/tls-cert.pem', import.meta.url));
const TLS_KEY = fileURLToPath(new URL('../fixtures/tls-key.pem', import.meta.url));

afterEach(cleanup);

let ipv6 = false;
beforeAll(async () => {
  ipv6 = await ipv6Available();
});

describe('echo-server as a process: stdout contract, flags, exit codes, signals', () => {
  it('prints "listening HOST:PORT" with the real port and echoes framed messages for the client', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0']);
    expect(server.listening).toHaveLength(1);
    expect(server.listening[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(splitAddress(server.listening[0]!).port).toBeGreaterThan(0);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, 'hello', 'wörld ✓', '']);
    expect(r).toMatchObject({ code: 0, stdout: 'hello\nwörld ✓\n\n' });
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\n`);
  });

  it('serves several --listen addresses, IPv4 and IPv6, each printed once', async () => {
    const args = ['--listen', '127.0.0.1:0', '--listen', '127.0.0.1:0'];
    if (ipv6) args.push('--listen', '[::1]:0');
    const server = await startServer(args, args.length / 2);
    expect(server.listening).toHaveLength(args.length / 2);
    if (ipv6) expect(server.listening[2]).toMatch(/^\[::1\]:\d+$/);
    expect(new Set(server.listening).size).toBe(server.listening.length);
    for (const address of server.listening) {
      const r = await run(CLIENT_BIN, ['--server', address, `via ${address}`]);
      expect(r).toMatchObject({ code: 0, stdout: `via ${address}\n` });
    }
  });

  it('a bad flag value exits 2 with one line on stderr', async () => {
    const r = await run(SERVER_BIN, ['--max-frame', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^echo-server: IOCP_ERR_USAGE: .*--max-frame.*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown flag exits 2 with one line on stderr', async () => {
    const r = await run(SERVER_BIN, ['--listen', '127.0.0.1:0', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^echo-server: IOCP_ERR_USAGE: unknown option '--frobnicate'/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an address in use exits 1 with IOCP_ERR_LISTEN', async () => {
    const first = await startServer(['--listen', '127.0.0.1:0']);
    const r = await run(SERVER_BIN, ['--listen', first.listening[0]!]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^echo-server: IOCP_ERR_LISTEN: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE$/);
  });

  it('a swapped or junk --tls-cert/--tls-key exits 2 with one IOCP_ERR_USAGE line before listening', async () => {
    const junk = fileURLToPath(new URL('../fixtures/failing-job.mjs', import.meta.url)); // not PEM at all
    for (const [cert, key] of [
      [TLS_KEY, TLS_CERT],
      [TLS_CERT, junk],
    ]) {
      const r = await run(SERVER_BIN, ['--listen', '127.0.0.1:0', '--tls-cert', cert!, '--tls-key', key!]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^echo-server: IOCP_ERR_USAGE: --tls-cert\/--tls-key: .* is not a valid PEM certificate\/key \(or they do not match\).*\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--metrics on an address in use: no listening line, one IOCP_ERR_LISTEN line, exit 1', async () => {
    const first = await startServer(['--listen', '127.0.0.1:0']);
    const r = await run(SERVER_BIN, ['--listen', '127.0.0.1:0', '--metrics', first.listening[0]!]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/IOCP_ERR_LISTEN: .*EADDRINUSE/);
  });

  it('--help prints every flag and exits 0', async () => {
    const r = await run(SERVER_BIN, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--max-conn-per-ip');
    expect(r.stdout).toContain('--workers');
  });

  it('SIGTERM drains queued replies, then exits 0', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0']);
    const s = await socketTo(server.listening[0]!);
    s.pause(); // do not read: the echo has to wait in the server's send queue
    const payload = Buffer.alloc(8 * 1024 * 1024, 7);
    s.write(frame(payload));
    // the reply is received and still (partly) queued in the server: more than the kernel buffers take
    await eventually(async () => {
      const text = await scrape(server.metrics!);
      const got = metricValue(text, 'iocp_received_messages_total') ?? 0;
      return got >= 1 && (metricValue(text, 'iocp_send_queue_bytes') ?? 0) > 0 ? true : undefined;
    });
    const received = untilClosed(s);
    const code = server.stop('SIGTERM');
    s.resume();
    const bytes = await received;
    expect(bytes.length).toBe(payload.length + 4);
    expect(bytes.subarray(4).equals(payload)).toBe(true);
    expect(await code).toBe(0);
  });

  it('a second SIGTERM during a long drain stops at once with exit 1', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--drain-timeout', '20000']);
    const s = await socketTo(server.listening[0]!);
    s.pause(); // the echo stays queued, so the drain would take the whole 20 s
    s.write(frame(Buffer.alloc(8 * 1024 * 1024)));
    await eventually(async () => ((metricValue(await scrape(server.metrics!), 'iocp_send_queue_bytes') ?? 0) > 0 ? true : undefined));
    server.child.kill('SIGTERM');
    await eventually(() => (server.stderr().includes('"shutting down"') ? true : undefined));
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('SIGINT exits 0 too', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0']);
    expect(await server.stop('SIGINT')).toBe(0);
  });
});
