/**
 * File-transfer benchmark: upload and download of one file (default 1 GiB) over loopback,
 * against baselines measured in the same run:
 *   - raw node:net: the same bytes through a plain socket, file → socket → file, no hashing;
 *   - socat (when installed): `socat -u` file → TCP → file.
 * The server runs in a child process; peak RSS of both sides is sampled every 50 ms.
 *
 * Run: npx -y pnpm@9.15.9 --filter @iocp/file-transfer build && cd packages/file-transfer && npx tsx bench/index.ts
 * Env: BENCH_MIB (default 1024), BENCH_DIR (default os.tmpdir()), BENCH_RUNS (default 1).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileClient } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MIB = Number(process.env.BENCH_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const size = MIB * 1024 * 1024;

let clientPeak = 0;
const sampler = setInterval(() => {
  clientPeak = Math.max(clientPeak, process.memoryUsage().rss);
}, 50);

interface Child {
  proc: ChildProcess;
  port: number;
  lines: string[];
  waiters: Array<(l: string) => void>;
}

async function startChild(mode: string, arg: string): Promise<Child> {
  const proc = spawn(process.execPath, [path.join(here, 'child.mjs'), mode, arg], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c: Child = { proc, port: 0, lines: [], waiters: [] };
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = c.waiters.shift();
      if (w) w(line);
      else c.lines.push(line);
      i = buf.indexOf('\n');
    }
  });
  const ready = await nextLine(c);
  c.port = Number(ready.split(' ')[1]);
  return c;
}

function nextLine(c: Child): Promise<string> {
  const l = c.lines.shift();
  if (l !== undefined) return Promise.resolve(l);
  return new Promise((resolve) => c.waiters.push(resolve));
}

async function childRss(c: Child): Promise<number> {
  c.proc.stdin!.write('stats\n');
  return Number((await nextLine(c)).split(' ')[1]);
}

async function stopChild(c: Child): Promise<void> {
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.stdin!.write('exit\n');
  await exited;
}

async function makeFile(file: string): Promise<void> {
  const block = randomBytes(8 * 1024 * 1024);
  const fh = await fsp.open(file, 'w');
  for (let left = size; left > 0; left -= block.length) await fh.write(block, 0, Math.min(block.length, left));
  await fh.close();
}

async function waitForSize(file: string, want: number): Promise<void> {
  for (;;) {
    const st = await fsp.stat(file).catch(() => undefined);
    if (st && st.size >= want) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface Row {
  name: string;
  seconds: number;
  mibps: number;
  clientRss: number;
  serverRss: number;
}
const rows: Row[] = [];

function record(name: string, seconds: number, serverRss: number): void {
  rows.push({ name, seconds, mibps: MIB / seconds, clientRss: clientPeak, serverRss });
  console.error(`${name}: ${(MIB / seconds).toFixed(1)} MiB/s (${seconds.toFixed(2)} s)`);
}

async function benchFileTransfer(dir: string, src: string): Promise<void> {
  const root = path.join(dir, 'root');
  await fsp.mkdir(root, { recursive: true });
  const child = await startChild('file-server', root);
  const client = await FileClient.connect({ host: '127.0.0.1', port: child.port });
  await childRss(child);
  clientPeak = 0;
  let t = performance.now();
  await client.put(src, 'bench.bin', { resume: false });
  record('file-transfer upload (SHA-256 both ends, fsync, rename)', (performance.now() - t) / 1000, await childRss(child));
  clientPeak = 0;
  const out = path.join(dir, 'down.bin');
  t = performance.now();
  await client.get('bench.bin', out, { resume: false });
  record('file-transfer download (SHA-256 both ends, fsync, rename)', (performance.now() - t) / 1000, await childRss(child));
  await client.close();
  await stopChild(child);
  await fsp.rm(out, { force: true });
  await fsp.rm(root, { recursive: true, force: true });
}

async function benchRaw(dir: string, src: string): Promise<void> {
  const sinkFile = path.join(dir, 'raw-up.bin');
  const sink = await startChild('raw-sink', sinkFile);
  await childRss(sink);
  clientPeak = 0;
  let t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(sink.port, '127.0.0.1', () => createReadStream(src, { highWaterMark: 256 * 1024 }).pipe(s));
    s.on('error', reject).on('close', () => resolve());
  });
  await waitForSize(sinkFile, size);
  record('raw node:net upload (no hashing)', (performance.now() - t) / 1000, await childRss(sink));
  await stopChild(sink);
  await fsp.rm(sinkFile, { force: true });

  const source = await startChild('raw-source', src);
  await childRss(source);
  clientPeak = 0;
  const out = path.join(dir, 'raw-down.bin');
  t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(source.port, '127.0.0.1');
    const w = createWriteStream(out);
    s.pipe(w);
    w.on('finish', () => resolve()).on('error', reject);
  });
  record('raw node:net download (no hashing)', (performance.now() - t) / 1000, await childRss(source));
  await stopChild(source);
  await fsp.rm(out, { force: true });
}

async function benchSocat(dir: string, src: string): Promise<void> {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
  } catch {
    console.error('socat not installed: skipped');
    return;
  }
  const out = path.join(dir, 'socat.bin');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn('socat', ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `OPEN:${out},creat,trunc`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const t = performance.now();
  execFileSync('socat', ['-u', `OPEN:${src}`, `TCP:127.0.0.1:${port}`]);
  await new Promise((r) => server.once('exit', r));
  await waitForSize(out, size);
  rows.push({ name: 'socat -u file → TCP → file', seconds: (performance.now() - t) / 1000, mibps: MIB / ((performance.now() - t) / 1000), clientRss: 0, serverRss: 0 });
  console.error(`socat: ${rows[rows.length - 1]!.mibps.toFixed(1)} MiB/s`);
  await fsp.rm(out, { force: true });
}

async function main(): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'ft-bench-'));
  try {
    const src = path.join(dir, 'src.bin');
    await makeFile(src);
    for (let i = 0; i < RUNS; i++) {
      await benchRaw(dir, src);
      await benchFileTransfer(dir, src);
      await benchSocat(dir, src);
    }
  } finally {
    clearInterval(sampler);
    await fsp.rm(dir, { recursive: true, force: true });
  }
  const best = (prefix: string) => Math.max(...rows.filter((r) => r.name.startsWith(prefix)).map((r) => r.mibps));
  const mb = (n: number) => (n ? `${(n / 1048576).toFixed(0)} MiB` : '–');
  console.log(`\nfile size ${MIB} MiB, ${os.cpus().length} CPUs, node ${process.version}, runs ${RUNS}, load avg ${os.loadavg()[0]!.toFixed(1)}\n`);
  console.log('| case | MiB/s | seconds | client peak RSS | server peak RSS |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${r.mibps.toFixed(1)} | ${r.seconds.toFixed(2)} | ${mb(r.clientRss)} | ${mb(r.serverRss)} |`);
  const up = best('file-transfer upload') / best('raw node:net upload');
  const down = best('file-transfer download') / best('raw node:net download');
  console.log(`\nratio vs raw node:net (best of runs): upload ${up.toFixed(2)}×, download ${down.toFixed(2)}×`);
}

await main();
