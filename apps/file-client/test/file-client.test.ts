import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { type Socket, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { hasScript } from '@iocp/cli-support/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_BIN, type Server, killAll, runClient, spawnClient, startServer, until } from './support/procs.js';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'fc-'));
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
});
afterEach(async () => {
  await killAll();
  await fsp.rm(dir, { recursive: true, force: true });
});

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** A file of `mib` MiB made of distinct random 1 MiB blocks (cheap to make, offset bugs still show). */
async function bigFile(file: string, mib: number): Promise<void> {
  const fh = await fsp.open(file, 'w');
  const block = randomBytes(1 << 20);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32BE(i, 0);
    await fh.write(block);
  }
  await fh.close();
}

async function partialSize(folder: string, match: (name: string) => boolean): Promise<number> {
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  let max = 0;
  for (const n of names.filter(match)) max = Math.max(max, (await fsp.stat(path.join(folder, n)).catch(() => ({ size: 0 }))).size);
  return max;
}


const serverPartials = () => path.join(root, '.iocp-ft', 'partial');
const srv = (s: Server) => ['--server', `127.0.0.1:${s.port}`];

describe('file-client CLI without a file-server', () => {
  it('no command is a one-line IOCP_ERR_USAGE (exit 2, no help); --help still prints help (exit 0)', async () => {
    const none = await runClient(['--server', '127.0.0.1:1']);
    expect(none).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'file-client: IOCP_ERR_USAGE: a command is required: put, get, list, stat or delete\n',
    });
    const help = await runClient(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: file-client .*--timeout <ms>/s);
  });

  it('--ca with --insecure is a usage error (exit 2), as in echo-client', async () => {
    const ca = path.join(dir, 'any.pem');
    await fsp.writeFile(ca, 'irrelevant\n');
    expect(await runClient(['--server', '127.0.0.1:1', '--ca', ca, '--insecure', 'list'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'file-client: IOCP_ERR_USAGE: --ca and --insecure contradict each other\n',
    });
  });

  it('--ca with a file that is not a PEM certificate is a usage error at startup (exit 2)', async () => {
    const junk = path.join(dir, 'junk.pem');
    await fsp.writeFile(junk, 'not a certificate\n');
    const key = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'key.pem');
    for (const file of [junk, key]) {
      const r = await runClient(['--server', '127.0.0.1:1', '--ca', file, 'list']);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^file-client: IOCP_ERR_USAGE: --ca ${file} is not a valid PEM CA certificate \\(bundle\\) .*\n$`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--timeout: a server that accepts but never answers HELLO ends the run with IOCP_ERR_FT_TIMEOUT (exit 1)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket); // accepted, read, never answered
      socket.on('error', () => {});
      socket.resume();
    });
    try {
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const { port } = silent.address() as { port: number };
      const started = Date.now();
      const r = await runClient(['--server', `127.0.0.1:${port}`, '--timeout', '300', 'list']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^file-client: IOCP_ERR_FT_TIMEOUT: .*300 ms.*\n$/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect((await runClient(['--server', '127.0.0.1:1', '--timeout', '-1', 'list'])).code).toBe(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('file-client CLI against file-server', () => {
  it('put, list, stat, get (default ./<basename>), delete with the documented output', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 'c.txt');
    await fsp.writeFile(src, 'hello world\n');
    const put = await runClient([...srv(s), 'put', src, 'a/b/c.txt']);
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^a\/b\/c\.txt 12 bytes \d+\.\d{3} s \d+\.\d MiB\/s sha256 [0-9a-f]{64}\n$/);
    expect(await fsp.readFile(path.join(root, 'a/b/c.txt'), 'utf8')).toBe('hello world\n');
    expect((await runClient([...srv(s), 'list'])).stdout).toBe('12\ta/b/c.txt\n');
    expect((await runClient([...srv(s), 'stat', 'a/b/c.txt'])).stdout).toBe('12\n');
    const cwd = path.join(dir, 'cwd');
    await fsp.mkdir(cwd);
    const get = await runClient([...srv(s), 'get', 'a/b/c.txt'], cwd);
    expect(get.code).toBe(0);
    expect(await fsp.readFile(path.join(cwd, 'c.txt'), 'utf8')).toBe('hello world\n');
    const into = path.join(dir, 'into');
    await fsp.mkdir(into);
    expect((await runClient([...srv(s), 'get', 'a/b/c.txt', into])).code).toBe(0);
    expect(await fsp.readFile(path.join(into, 'c.txt'), 'utf8')).toBe('hello world\n');
    expect((await runClient([...srv(s), 'delete', 'a/b/c.txt'])).stdout).toBe('deleted a/b/c.txt\n');
    expect((await runClient([...srv(s), 'list'])).stdout).toBe('');
    const empty = path.join(dir, 'empty');
    await fsp.writeFile(empty, '');
    expect((await runClient([...srv(s), 'put', empty])).stdout).toMatch(/^empty 0 bytes /);
    expect((await runClient([...srv(s), 'stat', 'empty'])).stdout).toBe('0\n');
  });

  it('get onto an existing FIFO or other non-regular file refuses (IOCP_ERR_FT_NOT_A_FILE, exit 1) instead of replacing it', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 's.txt');
    await fsp.writeFile(src, 'data\n');
    expect((await runClient([...srv(s), 'put', src, 's.txt'])).code).toBe(0);
    const fifo = path.join(dir, 'a-fifo');
    execFileSync('mkfifo', [fifo]); // stands in for /dev/null and other devices
    const r = await runClient([...srv(s), 'get', 's.txt', fifo]);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: `file-client: IOCP_ERR_FT_NOT_A_FILE: ${fifo} is not a regular file (a FIFO); refusing to replace it\n` });
    expect((await fsp.stat(fifo)).isFIFO()).toBe(true);
  });

  it('fails with one coded line and a non-zero exit', async () => {
    const s = await startServer(['--root', root, '--token', 'sesame']);
    const cases: Array<[string[], RegExp, number]> = [
      [[...srv(s), 'list'], /^file-client: IOCP_ERR_FT_AUTH: this server requires a token\n$/, 1],
      [[...srv(s), '--token', 'wrong', 'list'], /^file-client: IOCP_ERR_FT_AUTH: wrong token\n$/, 1],
      [[...srv(s), '--token', 'sesame', 'stat', 'nope'], /^file-client: IOCP_ERR_FT_NOT_FOUND: /, 1],
      [[...srv(s), '--token', 'sesame', 'get', '../etc/passwd', path.join(dir, 'x')], /^file-client: IOCP_ERR_FT_BAD_PATH: /, 1],
      [[...srv(s), '--token', 'sesame', 'put', path.join(dir, 'missing'), 'x'], /^file-client: IOCP_ERR_FT_NOT_FOUND: /, 1],
      [['--server', '127.0.0.1:1', 'list'], /^file-client: IOCP_ERR_CONNECT_REFUSED: /, 1],
      [[...srv(s), 'frobnicate'], /^file-client: IOCP_ERR_USAGE: /, 2],
      [['list'], /^file-client: IOCP_ERR_USAGE: --server <host:port> is required\n$/, 2],
      [['--server', 'nope', 'list'], /^file-client: IOCP_ERR_USAGE: /, 2],
      [['--server', '127.0.0.1:0', 'list'], /^file-client: IOCP_ERR_USAGE: .*port 0 in '127\.0\.0\.1:0' names no server/, 2],
    ];
    for (const [args, re, code] of cases) {
      const r = await runClient(args);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.code, args.join(' ')).toBe(code);
    }
    // The server survived all of it.
    expect((await runClient([...srv(s), '--token', 'sesame', 'list'])).code).toBe(0);
  });

  it('TLS: --ca verifies, --tls without the CA is refused, --insecure works and says so', async () => {
    const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
    const cert = path.join(fixtures, 'cert.pem');
    const s = await startServer(['--root', root, '--tls-cert', cert, '--tls-key', path.join(fixtures, 'key.pem')]);
    const src = path.join(dir, 'f.txt');
    await fsp.writeFile(src, 'over tls');
    const ok = await runClient([...srv(s), '--ca', cert, 'put', src]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await fsp.readFile(path.join(root, 'f.txt'), 'utf8')).toBe('over tls');
    const refused = await runClient([...srv(s), '--tls', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `file-client: IOCP_ERR_TLS_VERIFY: 127.0.0.1:${s.port}: server certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); pass --ca FILE, set NODE_EXTRA_CA_CERTS, or --insecure\n`,
    );
    const insecure = await runClient([...srv(s), '--insecure', 'stat', 'f.txt']);
    expect(insecure.code).toBe(0);
    expect(insecure.stdout).toBe('8\n');
    expect(insecure.stderr).toMatch(/--insecure: the server certificate is NOT verified/);
    const plain = await runClient([...srv(s), 'list']);
    expect(plain.code).toBe(1);
  });

  it('upload: kill -9 of the client mid-transfer, then resume → byte-identical', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 'big.bin');
    await bigFile(src, 96);
    const first = spawnClient([...srv(s), 'put', src, 'big.bin']);
    await until(async () => (await partialSize(serverPartials(), (n) => n.endsWith('.part'))) > 4 << 20);
    first.proc.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    let again = await runClient([...srv(s), 'put', src, 'big.bin']);
    if (again.stderr.includes('IOCP_ERR_FT_BUSY')) again = await runClient([...srv(s), 'put', src, 'big.bin']);
    expect(again.code, again.stderr).toBe(0);
    const resumed = Number(/resumed-from (\d+)/.exec(again.stdout)?.[1]);
    expect(resumed).toBeGreaterThan(4 << 20);
    expect(await sha256(path.join(root, 'big.bin'))).toBe(await sha256(src));
    expect(again.stdout).toContain(await sha256(src));
  });

  it('upload: kill -9 of the server mid-transfer, restart, resume → byte-identical', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 'big.bin');
    await bigFile(src, 96);
    const first = spawnClient([...srv(s), 'put', src, 'big.bin']);
    await until(async () => (await partialSize(serverPartials(), (n) => n.endsWith('.part'))) > 4 << 20);
    s.proc.kill('SIGKILL');
    const r = await first.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^file-client: IOCP_ERR_FT_CLOSED: /);
    const s2 = await startServer(['--root', root]);
    const again = await runClient([...srv(s2), 'put', src, 'big.bin']);
    expect(again.code, again.stderr).toBe(0);
    expect(Number(/resumed-from (\d+)/.exec(again.stdout)?.[1])).toBeGreaterThan(0);
    expect(await sha256(path.join(root, 'big.bin'))).toBe(await sha256(src));
  });

  it('download: kill -9 of the client, then of the server, resume each time → byte-identical', async () => {
    await bigFile(path.join(root, 'dl.bin'), 96);
    const want = await sha256(path.join(root, 'dl.bin'));
    const s = await startServer(['--root', root]);
    const out = path.join(dir, 'dl.bin');
    const part = (n: string) => n === '.dl.bin.iocp-part';
    const first = spawnClient([...srv(s), 'get', 'dl.bin', out]);
    await until(async () => (await partialSize(dir, part)) > 4 << 20);
    first.proc.kill('SIGKILL');
    await first.done;
    const kept = await partialSize(dir, part);
    expect(kept).toBeGreaterThan(4 << 20);
    await expect(fsp.stat(out)).rejects.toThrow();
    // Second attempt: this time the server dies.
    const second = spawnClient([...srv(s), 'get', 'dl.bin', out]);
    await until(async () => (await partialSize(dir, part)) > kept + (4 << 20));
    s.proc.kill('SIGKILL');
    const r2 = await second.done;
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/IOCP_ERR_FT_CLOSED/);
    const s2 = await startServer(['--root', root]);
    const third = await runClient([...srv(s2), 'get', 'dl.bin', out]);
    expect(third.code, third.stderr).toBe(0);
    expect(Number(/resumed-from (\d+)/.exec(third.stdout)?.[1])).toBeGreaterThan(kept);
    expect(await sha256(out)).toBe(want);
    expect(await partialSize(dir, part)).toBe(0);
  });

  it.skipIf(!hasScript)('Ctrl-C during a transfer on a terminal stops the progress bar (cursor and line wrap restored) and ends by SIGINT', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 'big.bin');
    await bigFile(src, 64);
    // `exec` keeps the shell's PID, so the printed PID is the client's.
    const command = `echo "pid $$"; exec '${process.execPath}' '${CLIENT_BIN}' --server 127.0.0.1:${s.port} put '${src}' big.bin`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      screen += c;
    });
    const closed = once(child, 'close');
    try {
      const HIDE_CURSOR = '\x1b[?25l';
      await until(() => (screen.includes(HIDE_CURSOR) && screen.slice(screen.indexOf(HIDE_CURSOR)).includes('%')) || child.exitCode !== null, 20_000);
      s.proc.kill('SIGSTOP'); // the transfer stalls with the bar on screen (killAll ends the server)
      const pid = Number(/pid (\d+)/.exec(screen)![1]);
      process.kill(pid, 'SIGINT');
      const [code] = await closed;
      expect(code).toBe(130); // script -e: 128 + SIGINT, the client ended by the signal
      const afterHide = screen.slice(screen.lastIndexOf(HIDE_CURSOR));
      expect(afterHide).toContain('\x1b[?25h'); // cursor shown again
      expect(afterHide).toContain('\x1b[?7h'); // line wrap on again
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('--no-resume starts over', async () => {
    const s = await startServer(['--root', root]);
    const src = path.join(dir, 'big.bin');
    await bigFile(src, 64);
    const first = spawnClient([...srv(s), 'put', src, 'big.bin']);
    await until(async () => (await partialSize(serverPartials(), (n) => n.endsWith('.part'))) > 4 << 20);
    first.proc.kill('SIGKILL');
    await first.done;
    let again = await runClient([...srv(s), '--no-resume', 'put', src, 'big.bin']);
    if (again.stderr.includes('IOCP_ERR_FT_BUSY')) again = await runClient([...srv(s), '--no-resume', 'put', src, 'big.bin']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/resumed-from/);
    expect(await sha256(path.join(root, 'big.bin'))).toBe(await sha256(src));
  });
});
