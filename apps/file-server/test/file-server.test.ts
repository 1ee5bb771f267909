import { once } from 'node:events';
import * as fsp from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killStarted, spawnNode as run, waitUntil } from '@iocp/cli-support/test-support';
import { FileClient, type Message, MessageType, PROTOCOL_VERSION, encodeMessage } from '@iocp/file-transfer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.resolve(here, '../bin/file-server.js');
const CERT = path.join(here, 'fixtures/cert.pem');
const KEY = path.join(here, 'fixtures/key.pem');

let dir: string;
let root: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'fs-'));
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
});
afterEach(async () => {
  await killStarted();
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Connect with the package client (this app's tests do not depend on the file-client app). */
async function client(address: string, extra: Partial<Parameters<typeof FileClient.connect>[0]> = {}): Promise<FileClient> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address)!;
  return FileClient.connect({ host: m[1]!, port: Number(m[2]), ...extra });
}

async function listening(s: ReturnType<typeof run>, lines = 1): Promise<string[]> {
  for (;;) {
    const got = s.stdout().split('\n').filter((l) => l.startsWith('listening '));
    if (got.length >= lines) return got;
    if (s.proc.exitCode !== null) throw new Error(`server exited: ${(await s.done).stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('file-server', () => {
  it('prints the real port for :0 on IPv4 and IPv6, serves, and exits 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const s = run(SERVER, ['--listen', '127.0.0.1:0', '--listen', '[::1]:0', '--root', root]);
      const [v4, v6] = await listening(s, 2);
      expect(v4).toMatch(/^listening 127\.0\.0\.1:[1-9]\d*$/);
      expect(v6).toMatch(/^listening \[::1\]:[1-9]\d*$/);
      const c = await client(v6!.slice('listening '.length));
      expect(await c.list()).toEqual([]);
      await c.close();
      s.proc.kill(signal);
      const end = await s.done;
      expect(end.code).toBe(0);
      // Logs are pino JSON on stderr.
      expect(end.stderr.split('\n').filter(Boolean).every((l) => JSON.parse(l).name === 'file-server')).toBe(true);
    }
  });

  it('JSON logs keep name = file-server; the file a request names is logged as file (no duplicate name key)', async () => {
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root]);
    const [address] = await listening(s);
    const src = path.join(dir, 'src.txt');
    await fsp.writeFile(src, 'logged\n');
    const c = await client(address!.slice('listening '.length));
    await c.put(src, 'a/logged.txt');
    await expect(c.put(src, '.iocp-ft/x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await c.close();
    s.proc.kill('SIGTERM');
    const end = await s.done;
    expect(end.code).toBe(0);
    const lines = end.stderr.split('\n').filter(Boolean);
    for (const line of lines) {
      expect(line.match(/"name":/g), line).toHaveLength(1);
      expect(JSON.parse(line).name, line).toBe('file-server');
    }
    const entries = lines.map((l) => JSON.parse(l) as { msg: string; file?: string });
    expect(entries.find((e) => e.msg === 'upload started')).toMatchObject({ file: 'a/logged.txt' });
    expect(entries.find((e) => e.msg === 'upload published')).toMatchObject({ file: 'a/logged.txt' });
    expect(entries.find((e) => e.msg === 'request failed')).toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
  });

  it('--help prints each default once (exit 0)', async () => {
    const r = await run(SERVER, ['--help']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--listen <host:port> .*\(default:\s+127\.0\.0\.1:7000\)/s);
    expect(r.stdout).not.toContain('(default: [])');
    expect(r.stdout).toMatch(/--write-timeout <ms> .*\(default:\s+0\)/s);
  });

  it('rejects bad flags with one coded line and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--listen', '127.0.0.1:0'], /--root <dir> is required/],
      [['--root', root, '--bogus'], /unknown option '--bogus'/],
      [['--root', root, '--listen', 'nohostport'], /is not HOST:PORT/],
      [['--root', root, '--max-file-size', 'lots'], /is not a size/],
      [['--root', root, '--tls-cert', CERT], /--tls-cert and --tls-key go together/],
      [['--root', root, '--tls-cert', path.join(dir, 'nope.pem'), '--tls-key', KEY], /--tls-cert .*ENOENT/],
      [['--root', root, '--max-frame', '16k', '--chunk-size', '16k'], /--chunk-size/],
      [['--root', root, '--write-timeout', '-1'], /--write-timeout/],
      [['--root', root, '--proxy-protocol', '--trusted-proxy', '10.0.0.0/99'], /--trusted-proxy.*is not 0\.\.32/],
      [['--root', root, '--proxy-protocol'], /--proxy-protocol needs at least one --trusted-proxy/],
    ];
    for (const [args, re] of cases) {
      const r = await run(SERVER, args).done;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^file-server: IOCP_ERR_USAGE: /);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await run(SERVER, ['--listen', '127.0.0.1:0', '--root', path.join(dir, 'nope')]).done;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^file-server: IOCP_ERR_FT_NOT_FOUND: /);
  });

  it('--proxy-protocol: logs the client the header names; a bad header is refused and logged once', async () => {
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--proxy-protocol', '--trusted-proxy', '127.0.0.1']);
    const [line] = await listening(s);
    const port = Number(line!.split(':').pop());
    for (const first of ['PROXY TCP4 203.0.113.9 192.0.2.1 4009 7000\r\n', 'GET / HTTP/1.0\r\n\r\n']) {
      const sock = connect({ host: '127.0.0.1', port });
      sock.on('error', () => {});
      await once(sock, 'connect');
      sock.write(first);
      if (first.startsWith('PROXY')) {
        await waitUntil(() => s.stderr().includes('"connection open"'), 10_000);
        sock.destroy();
      } else {
        sock.resume();
        await once(sock, 'close');
      }
    }
    await waitUntil(() => s.stderr().includes('"connection refused"'), 10_000);
    s.proc.kill('SIGTERM');
    const logs = (await s.done).stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.find((l) => l.msg === 'connection open')).toMatchObject({ peer: '203.0.113.9:4009', proxy: expect.stringMatching(/^127\.0\.0\.1:/) });
    const refused = logs.filter((l) => l.msg === 'connection refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ reason: 'proxy-header', err: expect.stringMatching(/no PROXY header/) });
  });

  it('serves TLS: verified with the CA, refused without it', async () => {
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--tls-cert', CERT, '--tls-key', KEY]);
    const [line] = await listening(s);
    const addr = line!.slice('listening '.length);
    const src = path.join(dir, 'f.txt');
    await fsp.writeFile(src, 'over tls');
    const ca = await fsp.readFile(CERT);
    const c = await client(addr, { tls: { ca } });
    expect(c.encrypted).toBe(true);
    await c.put(src, 'f.txt');
    await c.close();
    expect(await fsp.readFile(path.join(root, 'f.txt'), 'utf8')).toBe('over tls');
    await expect(client(addr, { tls: true })).rejects.toMatchObject({ code: expect.stringMatching(/^IOCP_ERR_/) });
  });

  it('serves Prometheus metrics with --metrics and prints the bound address', async () => {
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--metrics', '127.0.0.1:0', '--max-buffered', '48m']);
    const [line] = await listening(s);
    let m: RegExpExecArray | null = null;
    while (!(m = /^metrics (127\.0\.0\.1:\d+)$/m.exec(s.stdout()))) await new Promise((r) => setTimeout(r, 10));
    const src = path.join(dir, 'm.bin');
    await fsp.writeFile(src, Buffer.alloc(1000, 7));
    const c = await client(line!.slice('listening '.length));
    await c.put(src, 'm.bin');
    await expect(c.stat('../x')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_BAD_PATH' });
    await c.close();
    const res = await fetch(`http://${m[1]}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^iocp_file_server_uploads_published_total 1$/m);
    expect(text).toMatch(/^iocp_file_server_data_received_bytes_total 1000$/m);
    expect(text).toMatch(/^iocp_file_server_failures_total\{code="IOCP_ERR_FT_BAD_PATH"\} 1$/m);
    expect(text).toMatch(/^# TYPE iocp_file_server_connections gauge$/m);
    // process health and the memory budget (--max-buffered)
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^nodejs_active_handles_total \d/m);
    expect(text).toMatch(new RegExp(`^iocp_memory_budget_bytes ${48 * 1024 * 1024}$`, 'm'));
    expect(text).toMatch(/^iocp_memory_sheds_total 0$/m);
    expect((await fetch(`http://${m[1]}/other`)).status).toBe(404);
  });

  it('--write-timeout closes a client that asks for a download and never reads it', async () => {
    const big = await fsp.open(path.join(root, 'big.bin'), 'w');
    await big.truncate(64 * 1024 * 1024); // sparse: far more than the kernel buffers hold
    await big.close();
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--write-timeout', '300']);
    const [line] = await listening(s);
    const port = Number(line!.slice(line!.lastIndexOf(':') + 1));
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('error', () => {});
    await once(sock, 'connect');
    sock.pause(); // never reads
    const framed = (m: Message): Buffer => {
      const body = encodeMessage(m);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length);
      return Buffer.concat([header, body]);
    };
    sock.write(framed({ type: MessageType.Hello, version: PROTOCOL_VERSION, token: Buffer.alloc(0) }));
    const prefixHash = createHash('sha256').digest();
    sock.write(framed({ type: MessageType.Get, id: 1, offset: 0, prefixHash, credit: 0xffff_ffff, name: 'big.bin' }));
    await waitUntil(() => s.stderr().includes('"reason":"write-timeout"'), 10_000);
    // What the kernels still held reaches us once we read, then the server's end of the stream.
    const closed = new Promise((resolve) => sock.once('close', resolve)); // a reset is fine too
    sock.resume();
    await closed;
    // Still serving others.
    const c = await client(line!.slice('listening '.length));
    expect((await c.list()).map((e) => e.name)).toEqual(['big.bin']);
    await c.close();
  });

  it('enforces --max-file-size and keeps serving', async () => {
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--max-file-size', '1k']);
    const [line] = await listening(s);
    const addr = line!.slice('listening '.length);
    const big = path.join(dir, 'big');
    await fsp.writeFile(big, Buffer.alloc(1025));
    const c = await client(addr);
    await expect(c.put(big, 'big')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_TOO_LARGE' });
    await fsp.writeFile(big, Buffer.alloc(1024));
    expect((await c.put(big, 'big')).size).toBe(1024);
    await c.close();
  });

  it('--metrics on a busy port: prints no listening/metrics line, one IOCP_ERR_LISTEN line, exit 1', async () => {
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const { port } = busy.address() as { port: number };
      const r = await run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--metrics', `127.0.0.1:${port}`, '--log-level', 'silent']).done;
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(''); // a script waiting for `listening` must not think it is ready
      expect(r.stderr).toMatch(new RegExp(`^file-server: IOCP_ERR_LISTEN: .*127\\.0\\.0\\.1:${port}.*\n$`));
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('a certificate and key that are swapped or junk are a one-line IOCP_ERR_USAGE (exit 2) before listening', async () => {
    const junk = path.join(dir, 'junk.pem');
    await fsp.writeFile(junk, 'junk\n');
    for (const [cert, key] of [
      [KEY, CERT],
      [CERT, junk],
    ] as const) {
      const r = await run(SERVER, ['--listen', '127.0.0.1:0', '--root', root, '--tls-cert', cert, '--tls-key', key]).done;
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^file-server: IOCP_ERR_USAGE: --tls-cert\/--tls-key: .* is not a valid PEM certificate\/key \(or they do not match\).*\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('SIGTERM during startup (before listening) exits 0, not by the signal', async () => {
    // The preload reports the moment the first SIGTERM listener is added: the guard must be in
    // place before the modules load, long before the listeners open.
    const s = run(SERVER, ['--listen', '127.0.0.1:0', '--root', root], {
      env: { NODE_OPTIONS: `--require ${path.join(here, 'fixtures/report-sigterm-listener.cjs')}` },
    });
    await waitUntil(() => s.stderr().includes('sigterm-listener-added\n') || s.proc.exitCode !== null, 30_000, 1);
    s.proc.kill('SIGTERM');
    const r = await s.done;
    expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: 0, signal: null, stdout: '' });
  });
});
