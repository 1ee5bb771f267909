import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BIN, SERVER_BIN, killAllStarted, run, splitAddress, startServer } from './support/processes.js';
import { eventually, frame, framedEcho, metricValue, openSocket, readBytes, scrape, untilClosed } from './support/wire.js';

const sockets: import('node:net').Socket[] = [];
async function socketTo(address: string) {
  const { host, port } = splitAddress(address);
  const s = await openSocket(host, port);
  sockets.push(s);
  return s;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await killAllStarted();
});

let ipv6 = false;
beforeAll(async () => {
  ipv6 = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
});

describe('echo-server process', () => {
  it('prints "listening HOST:PORT" with the real port and echoes framed messages for the client', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0']);
    expect(server.listening).toHaveLength(1);
    expect(server.listening[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(splitAddress(server.listening[0]!).port).toBeGreaterThan(0);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, 'hello', 'wörld ✓', '']);
    expect(r).toMatchObject({ code: 0, stdout: 'hello\nwörld ✓\n\n' });
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\n`);
  });

  it('echoes raw bytes in --mode raw, for the client and for a plain socket', async () => {
    const server = await startServer(['--mode', 'raw', '--listen', '127.0.0.1:0']);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, '--mode', 'raw', 'raw one', 'raw two']);
    expect(r).toMatchObject({ code: 0, stdout: 'raw one\nraw two\n' });
    const s = await socketTo(server.listening[0]!);
    const bytes = Buffer.from([0, 0, 0, 9, 255, 1, 2]); // no framing: a "header" is just bytes
    s.write(bytes);
    expect((await readBytes(s, bytes.length)).equals(bytes)).toBe(true);
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

  it('SIGINT exits 0 too', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0']);
    expect(await server.stop('SIGINT')).toBe(0);
  });

  it('an oversized frame header closes only that connection', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--max-frame', '1k']);
    const bad = await socketTo(server.listening[0]!);
    const good = await socketTo(server.listening[0]!);
    expect((await framedEcho(good, Buffer.from('before'))).toString()).toBe('before');
    const closed = untilClosed(bad);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    bad.write(header);
    expect((await closed).length).toBe(0);
    expect((await framedEcho(good, Buffer.alloc(1024, 1))).length).toBe(1024); // exactly max still fine
    expect((await framedEcho(good, Buffer.from('after'))).toString()).toBe('after');
  });

  it('--metrics serves Prometheus text with the port statistics', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0']);
    expect(server.metrics).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\nmetrics ${server.metrics}\n`);
    const r = await run(CLIENT_BIN, ['--server', server.listening[0]!, 'a', 'bb', 'ccc']);
    expect(r.code).toBe(0);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="peer-closed"}') === 1 ? t : undefined;
    });
    expect(text).toContain('# TYPE iocp_connections_accepted_total counter');
    expect(metricValue(text, 'iocp_connections_accepted_total')).toBe(1);
    expect(metricValue(text, 'iocp_connections')).toBe(0);
    expect(metricValue(text, 'iocp_received_messages_total')).toBe(3);
    expect(metricValue(text, 'iocp_sent_messages_total')).toBe(3);
    expect(metricValue(text, 'iocp_received_bytes_total')).toBe(6 + 3 * 4);
    expect(metricValue(text, 'iocp_connections_refused_total{reason="max-connections"}')).toBe(0);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="frame-too-long"}')).toBe(0);
    const notFound = await fetch(`http://${server.metrics}/nope`);
    expect(notFound.status).toBe(404);
  });

  it('counts refusals by reason (--max-connections)', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--max-connections', '1']);
    const first = await socketTo(server.listening[0]!);
    expect((await framedEcho(first, Buffer.from('in'))).toString()).toBe('in');
    const second = await socketTo(server.listening[0]!);
    await untilClosed(second);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return (metricValue(t, 'iocp_connections_refused_total{reason="max-connections"}') ?? 0) >= 1 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connections')).toBe(1);
    expect((await framedEcho(first, Buffer.from('still'))).toString()).toBe('still');
  });

  it('--first-data-timeout closes a silent peer', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--first-data-timeout', '200', '--metrics', '127.0.0.1:0']);
    const silent = await socketTo(server.listening[0]!);
    await untilClosed(silent);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_closed_total{reason="first-data-timeout"}') === 1 ? t : undefined;
    });
    expect(text).toBeDefined();
  });

  it('--workers 2 prints each listening line once and spreads connections over two processes', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--workers', '2', '--log-level', 'debug', '--metrics', '127.0.0.1:0']);
    const primaryPid = server.child.pid;
    for (let i = 0; i < 6; i++) {
      const s = await socketTo(server.listening[0]!);
      expect((await framedEcho(s, Buffer.from(`conn ${i}`))).toString()).toBe(`conn ${i}`);
    }
    const pids = await eventually(() => {
      const opens = server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"connection open"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid);
      return opens.length >= 6 ? new Set(opens) : undefined;
    });
    expect(pids.size).toBe(2);
    expect(pids.has(primaryPid!)).toBe(false);
    const text = await eventually(async () => {
      const t = await scrape(server.metrics!);
      return metricValue(t, 'iocp_connections_accepted_total') === 6 ? t : undefined;
    });
    expect(metricValue(text, 'iocp_connections')).toBe(6); // summed over both workers
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.stdout()).toBe(`listening ${server.listening[0]}\nmetrics ${server.metrics}\n`);
  });
});

describe('echo-server TLS', () => {
  let dir: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'echo-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
        '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      ], { stdio: 'ignore' });
    } catch {
      // no openssl: the committed long-lived fixture (same subject and SANs)
      cert = new URL('./fixtures/tls-cert.pem', import.meta.url).pathname;
      key = new URL('./fixtures/tls-key.pem', import.meta.url).pathname;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('echoes over TLS when the client trusts the certificate (--ca); refuses without it; --insecure warns', async () => {
    const server = await startServer(['--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key]);
    const address = server.listening[0]!;
    const ok = await run(CLIENT_BIN, ['--server', address, '--tls', '--ca', cert, 'secret hello']);
    expect(ok).toMatchObject({ code: 0, stdout: 'secret hello\n', stderr: '' });

    const untrusted = await run(CLIENT_BIN, ['--server', address, '--tls', 'x']);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr.trim()).toMatch(/^echo-client: IOCP_ERR_TLS_VERIFY: /);

    const insecure = await run(CLIENT_BIN, ['--server', address, '--tls', '--insecure', 'unverified']);
    expect(insecure.code).toBe(0);
    expect(insecure.stdout).toBe('unverified\n');
    expect(insecure.stderr).toMatch(/--insecure: the server certificate is NOT verified/);

    const env = await run(CLIENT_BIN, ['--server', `localhost:${splitAddress(address).port}`, '--tls', 'via env'], {
      env: { NODE_EXTRA_CA_CERTS: cert },
    });
    expect(env).toMatchObject({ code: 0, stdout: 'via env\n' });

    const plain = await run(CLIENT_BIN, ['--server', address, '--timeout', '2000', 'no tls']);
    expect(plain.code).not.toBe(0);
  });
});
