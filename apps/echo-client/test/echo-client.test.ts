import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Server as TlsServer, createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hasScript } from '@iocp/cli-support/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_BIN, run } from '../../echo-server/test/support/processes.js';

const execFileAsync = promisify(execFile);

/** Certificate for 127.0.0.1, ::1 and localhost, and its key. */
const TLS_CERT = fileURLToPath(new URL('../../echo-server/test/fixtures/tls-cert.pem', import.meta.url));
const TLS_KEY = fileURLToPath(new URL('../../echo-server/test/fixtures/tls-key.pem', import.meta.url));
const tlsServers: TlsServer[] = [];

/** Tiny in-test servers that misbehave on purpose. */
const fakes: Server[] = [];
const peers: Socket[] = [];

async function fakeServer(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    peers.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  fakes.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return `127.0.0.1:${port}`;
}

/**
 * A byte-for-byte echo server in the test process. Echoing bytes unchanged also echoes every
 * frame unchanged, so it serves framed and raw clients alike, and these tests do not depend on
 * apps/echo-server being built.
 */
function echoServer(): Promise<string> {
  return fakeServer((socket) => socket.pipe(socket));
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all([...fakes.splice(0), ...tlsServers.splice(0)].map((s) => new Promise((r) => s.close(r))));
});


function oneErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('echo-client process', () => {
  it('sends stdin lines when no message is given and prints each echo', async () => {
    const address = await echoServer();
    const r = await run(CLIENT_BIN, ['--server', address], { input: 'first\nsecond line\r\n\nlast' });
    expect(r).toMatchObject({ code: 0, stdout: 'first\nsecond line\n\nlast\n', stderr: '' });
  });

  it('reads stdin one chunk at a time with a line cap: a line over --max-frame is IOCP_ERR_MESSAGE_TOO_LONG (exit 2)', async () => {
    const address = await echoServer();
    const r = await run(CLIENT_BIN, ['--server', address, '--max-frame', '8'], { input: 'short\nthis line is too long\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('short\n');
    expect(oneErrorLine(r.stderr)).toBe('echo-client: IOCP_ERR_MESSAGE_TOO_LONG: stdin line 2 is longer than 8 bytes (--max-frame)');
  });

  it('a folder on stdin (< /tmp) is a usage error (exit 2), not a silent run that sends nothing', async () => {
    const address = await echoServer();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'echo-client-stdin-'));
    const fd = openSync(folder, 'r');
    try {
      const child = spawn(process.execPath, [CLIENT_BIN, '--server', address], { stdio: [fd, 'pipe', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      const [code] = await once(child, 'close');
      expect(code).toBe(2);
      expect(oneErrorLine(err)).toBe('echo-client: IOCP_ERR_USAGE: stdin is a folder, not lines to send');
    } finally {
      closeSync(fd);
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('echoes stdin bytes exactly, even when they are not UTF-8', async () => {
    const address = await echoServer();
    const input = Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xc3, 0x28, 0x0a]);
    const child = spawn(process.execPath, [CLIENT_BIN, '--server', address], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stdin.end(input);
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    expect(Buffer.concat(out).equals(input)).toBe(true);
  });

  it.skipIf(!hasScript)('is interactive on a terminal: prompt, echo per line, Ctrl-D ends with exit 0', async () => {
    const address = await echoServer();
    const command = `'${process.execPath}' '${CLIENT_BIN}' --server ${address}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      screen += c;
    });
    const waitFor = async (pattern: RegExp): Promise<void> => {
      const until = Date.now() + 15_000;
      while (!pattern.test(screen)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no ${pattern} on the terminal: ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(/echo> /);
      child.stdin.write('typed line\n');
      await waitFor(/typed line\r\r?\ntyped line\r\n[\s\S]*echo> /); // the terminal echoes the input, then the client prints the echo
      child.stdin.write('\x04');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it.skipIf(!hasScript)('interactive with stdout redirected to a file: the prompt stays on the terminal, the file gets only the echoes', async () => {
    const address = await echoServer();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ec-'));
    const file = path.join(dir, 'echoes.txt');
    const command = `'${process.execPath}' '${CLIENT_BIN}' --server ${address} > '${file}'`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      screen += c;
    });
    try {
      const until = Date.now() + 15_000;
      while (!/echo> /.test(screen)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no prompt on the terminal: ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.stdin.write('typed line\n');
      while (!readFileSync(file, 'utf8').includes('\n')) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no echo in ${file}: ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.stdin.write('\x04');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('typed line\n');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--servername with an IP checks the certificate against that IP, without a Node deprecation warning on stderr', async () => {
    const server = createTlsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) }, (socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    tlsServers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const ok = await run(CLIENT_BIN, ['--server', address, '--tls', '--ca', TLS_CERT, '--servername', '::1', 'hi']);
    expect(ok).toMatchObject({ code: 0, stdout: 'hi\n', stderr: '' });
    const wrong = await run(CLIENT_BIN, ['--server', address, '--tls', '--ca', TLS_CERT, '--servername', '10.0.0.1', 'hi']);
    expect(wrong.code).toBe(3);
    expect(oneErrorLine(wrong.stderr)).toMatch(/^echo-client: IOCP_ERR_TLS_VERIFY: .*not valid for '10\.0\.0\.1'/);
  });

  it('exits 1 with IOCP_ERR_ECHO_MISMATCH when the server corrupts the echo (framed)', async () => {
    const address = await fakeServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        const copy = Buffer.from(chunk);
        copy[copy.length - 1]! ^= 0x01; // flip a bit of the last payload byte, keep the header
        socket.write(copy);
      });
    });
    const r = await run(CLIENT_BIN, ['--server', address, 'hello']);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_ECHO_MISMATCH: message 1: sent 5 bytes "hello", got 5 bytes "helln"$/);
    expect(r.stdout).toBe('');
  });

  it('exits 1 on a mismatch in raw mode after earlier messages matched', async () => {
    let n = 0;
    const address = await fakeServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        n += 1;
        socket.write(n === 2 ? Buffer.from(chunk.toString().toUpperCase()) : chunk);
      });
    });
    const r = await run(CLIENT_BIN, ['--server', address, '--mode', 'raw', 'one', 'two', 'three']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('one\n');
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_ECHO_MISMATCH: message 2: byte 0 differs/);
  });

  it('exits 3 with IOCP_ERR_CONNECT_REFUSED when nothing listens', async () => {
    const port = await freePort();
    const r = await run(CLIENT_BIN, ['--server', `127.0.0.1:${port}`, 'x']);
    expect(r.code).toBe(3);
    expect(oneErrorLine(r.stderr)).toMatch(new RegExp(`^echo-client: IOCP_ERR_CONNECT_REFUSED: .*127\\.0\\.0\\.1:${port}`));
  });

  it('exits 3 with IOCP_ERR_CONNECT_TIMEOUT when the TLS handshake never completes within --timeout', async () => {
    const address = await fakeServer(() => {}); // accepts TCP, never answers the ClientHello
    const r = await run(CLIENT_BIN, ['--server', address, '--tls', '--timeout', '300', 'x']);
    expect(r.code).toBe(3);
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_CONNECT_TIMEOUT: /);
  });

  it('exits 4 with IOCP_ERR_ECHO_TIMEOUT when the server never answers', async () => {
    const address = await fakeServer(() => {});
    const r = await run(CLIENT_BIN, ['--server', address, '--timeout', '300', 'anyone?']);
    expect(r.code).toBe(4);
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_ECHO_TIMEOUT: no echo for message 1 within 300 ms$/);
  });

  it('exits 4 with IOCP_ERR_CONNECTION_CLOSED when the server hangs up before echoing', async () => {
    const address = await fakeServer((socket) => socket.once('data', () => socket.end()));
    const r = await run(CLIENT_BIN, ['--server', address, 'bye?']);
    expect(r.code).toBe(4);
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_CONNECTION_CLOSED: connection closed \(peer-closed.*\) before message 1 was echoed$/);
  });

  it('delivers a large echo whole through a real pipe to a slow reader before exiting 0 (no truncation at the pipe buffer)', async () => {
    const address = await echoServer();
    const message = 'x'.repeat(120_000); // more than the 64 KiB a pipe holds
    // A shell pipe (a child's 'pipe' stdio is a socketpair with a larger buffer): the reader
    // starts reading only after a second, so most of the echo is still queued in the client
    // when it is done; exiting then would cut it short.
    const script = 'node "$CLIENT" --server "$ADDRESS" "$MESSAGE" | { sleep 1; wc -c; }; echo "exit ${PIPESTATUS[0]}"';
    const { stdout, stderr } = await execFileAsync('bash', ['-c', script], {
      env: { ...process.env, CLIENT: CLIENT_BIN, ADDRESS: address, MESSAGE: message },
      timeout: 30_000,
    });
    expect({ out: stdout.trim().split(/\s+/), stderr }).toEqual({ out: [String(message.length + 1), 'exit', '0'], stderr: '' });
  });

  it('ends quietly with exit 141 when its reader goes away (| head -1): no EPIPE stack trace', async () => {
    const address = await echoServer();
    const script = 'seq 1 2000 | node "$CLIENT" --server "$ADDRESS" | head -1; echo "exit ${PIPESTATUS[1]}"';
    const { stdout, stderr } = await execFileAsync('bash', ['-c', script], {
      env: { ...process.env, CLIENT: CLIENT_BIN, ADDRESS: address },
      timeout: 30_000,
    });
    expect({ stdout, stderr }).toEqual({ stdout: '1\nexit 141\n', stderr: '' });
  });

  it('exits 2 with one line on a usage error', async () => {
    const r = await run(CLIENT_BIN, ['hello']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/^echo-client: IOCP_ERR_USAGE: .*--server/);
  });
});
