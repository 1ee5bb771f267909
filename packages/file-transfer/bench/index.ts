/**
 * File-transfer benchmark: upload and download of one file (default 1 GiB) over loopback,
 * against baselines measured in the same run:
 *   - raw node:net: the same bytes through a plain socket, file → socket → file, no hashing;
 *   - the same raw upload with SHA-256 on both ends (what hashing alone costs);
 *   - socat (when installed): `socat -u` file → TCP → file;
 *   - the disk alone: the file copied, then fsync'd once (the storage's speed, no network).
 * The server runs in a child process; peak RSS of both sides is sampled every 50 ms. Before each
 * timed case every dirty page is flushed (`sync`), and rounds alternate which side goes first.
 *
 * Run: npx -y pnpm@9.15.9 --filter @iocp/file-transfer build && cd packages/file-transfer && npx tsx bench/index.ts
 * Env: BENCH_MIB (default 1024), BENCH_DIR (default os.tmpdir()), BENCH_RUNS (default 1).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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

/** Peak RSS since the last call and CPU time (user + system, µs) since the last call. */
async function childStats(c: Child): Promise<{ rss: number; cpuUs: number }> {
  c.proc.stdin!.write('stats\n');
  const parts = (await nextLine(c)).split(' ');
  return { rss: Number(parts[1]), cpuUs: Number(parts[3]) };
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
  await fh.sync();
  await fh.close();
}

/**
 * Flush every dirty page to disk before a timed case, so no case pays for the write-back of
 * the previous one (the raw pipe leaves 1 GiB unflushed; the kernel would write it back in the
 * middle of whatever runs next).
 */
function settle(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // no sync(1): cases may then see each other's write-back
  }
}

async function waitForSize(file: string, want: number): Promise<void> {
  for (;;) {
    const st = await fsp.stat(file).catch(() => undefined);
    if (st && st.size >= want) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface Row {
  round: number;
  name: string;
  seconds: number;
  mibps: number;
  clientRss: number;
  serverRss: number;
  /** CPU seconds (user + system) of client and server together. */
  cpuSeconds: number;
}
const rows: Row[] = [];
let round = 0;
let cpuMark = process.cpuUsage();

/** Start measuring the client side (the server side is measured by the child). */
function mark(): void {
  clientPeak = 0;
  cpuMark = process.cpuUsage();
}

function record(name: string, seconds: number, server: { rss: number; cpuUs: number }): void {
  const cpu = process.cpuUsage(cpuMark);
  const cpuSeconds = (cpu.user + cpu.system + server.cpuUs) / 1e6;
  rows.push({ round, name, seconds, mibps: MIB / seconds, clientRss: clientPeak, serverRss: server.rss, cpuSeconds });
  console.error(`round ${round} ${name}: ${(MIB / seconds).toFixed(1)} MiB/s (${seconds.toFixed(2)} s, ${cpuSeconds.toFixed(2)} CPU s)`);
}

async function benchFileTransfer(dir: string, src: string): Promise<void> {
  const root = path.join(dir, 'root');
  await fsp.mkdir(root, { recursive: true });
  const child = await startChild('file-server', root);
  const client = await FileClient.connect({ host: '127.0.0.1', port: child.port });
  settle();
  await childStats(child);
  mark();
  let t = performance.now();
  await client.put(src, 'bench.bin', { resume: false });
  record('file-transfer upload (SHA-256 both ends, fsync, rename)', (performance.now() - t) / 1000, await childStats(child));
  // Download the source itself (a hard link: the same cached pages the raw pipe reads) and drop
  // the uploaded copy first, as the raw pipe drops its upload: both downloads then write into
  // page cache freed by their upload. Keeping the upload would make ours alone take 1 GiB of
  // pages never used before, which on this VM costs more than the whole protocol.
  await fsp.rm(path.join(root, 'bench.bin'));
  await fsp.link(src, path.join(root, 'source.bin'));
  settle();
  await childStats(child);
  mark();
  const out = path.join(dir, 'down.bin');
  t = performance.now();
  await client.get('source.bin', out, { resume: false });
  record('file-transfer download (SHA-256 both ends, fsync, rename)', (performance.now() - t) / 1000, await childStats(child));
  await client.close();
  await stopChild(child);
  await fsp.rm(out, { force: true });
  await fsp.rm(root, { recursive: true, force: true });
}

/** File → socket → file through a plain node:net pipe; with `hashing`, SHA-256 of every chunk on both ends. */
async function rawUpload(dir: string, src: string, hashing: boolean, name: string): Promise<void> {
  const sinkFile = path.join(dir, 'raw-up.bin');
  const sink = await startChild(hashing ? 'raw-hash-sink' : 'raw-sink', sinkFile);
  settle();
  await childStats(sink);
  mark();
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(sink.port, '127.0.0.1', () => {
      const r = createReadStream(src, { highWaterMark: 256 * 1024 });
      if (hashing) {
        const h = createHash('sha256');
        r.on('data', (d) => h.update(d));
      }
      r.pipe(s);
    });
    s.on('error', reject).on('close', () => resolve());
  });
  await waitForSize(sinkFile, size);
  record(name, (performance.now() - t) / 1000, await childStats(sink));
  await stopChild(sink);
  await fsp.rm(sinkFile, { force: true });
}

async function benchRaw(dir: string, src: string): Promise<void> {
  await rawUpload(dir, src, false, 'raw node:net upload (no hashing)');

  const source = await startChild('raw-source', src);
  settle();
  await childStats(source);
  mark();
  const out = path.join(dir, 'raw-down.bin');
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(source.port, '127.0.0.1');
    const w = createWriteStream(out);
    s.pipe(w);
    w.on('finish', () => resolve()).on('error', reject);
  });
  record('raw node:net download (no hashing)', (performance.now() - t) / 1000, await childStats(source));
  await stopChild(source);
  await fsp.rm(out, { force: true });
}

/**
 * The storage's own speed: the file copied with plain reads and writes, then fsync'd once. Not
 * a ceiling for a receiver: one that syncs in the background while it writes (as ours does)
 * keeps the disk busy during the transfer and can beat it.
 */
async function benchDisk(dir: string, src: string): Promise<void> {
  const out = path.join(dir, 'disk.bin');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  settle();
  const t = performance.now();
  const from = await fsp.open(src, 'r');
  const to = await fsp.open(out, 'w');
  for (let pos = 0; ; ) {
    const { bytesRead } = await from.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    await to.write(buf, 0, bytesRead, pos);
    pos += bytesRead;
  }
  await to.sync();
  await to.close();
  await from.close();
  const seconds = (performance.now() - t) / 1000;
  rows.push({ round, name: 'disk alone: copy, then one fsync (no network)', seconds, mibps: MIB / seconds, clientRss: 0, serverRss: 0, cpuSeconds: 0 });
  console.error(`disk: ${rows[rows.length - 1]!.mibps.toFixed(1)} MiB/s`);
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
  settle();
  const t = performance.now();
  execFileSync('socat', ['-u', `OPEN:${src}`, `TCP:127.0.0.1:${port}`]);
  await new Promise((r) => server.once('exit', r));
  await waitForSize(out, size);
  const seconds = (performance.now() - t) / 1000;
  rows.push({ round, name: 'socat -u file → TCP → file', seconds, mibps: MIB / seconds, clientRss: 0, serverRss: 0, cpuSeconds: 0 });
  console.error(`socat: ${rows[rows.length - 1]!.mibps.toFixed(1)} MiB/s`);
  await fsp.rm(out, { force: true });
}

async function main(): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'ft-bench-'));
  try {
    const src = path.join(dir, 'src.bin');
    await makeFile(src);
    for (round = 1; round <= RUNS; round++) {
      // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
      if (round % 2 === 1) {
        await benchRaw(dir, src);
        await benchFileTransfer(dir, src);
      } else {
        await benchFileTransfer(dir, src);
        await benchRaw(dir, src);
      }
      await rawUpload(dir, src, true, 'raw node:net upload + SHA-256 both ends (no protocol)');
      await benchSocat(dir, src);
      await benchDisk(dir, src);
    }
  } finally {
    clearInterval(sampler);
    await fsp.rm(dir, { recursive: true, force: true });
  }
  const mb = (n: number) => (n ? `${(n / 1048576).toFixed(0)} MiB` : '–');
  console.log(`\nfile size ${MIB} MiB, ${os.cpus().length} CPUs, node ${process.version}, rounds ${RUNS}, load avg ${os.loadavg()[0]!.toFixed(1)}\n`);
  console.log('| round | case | MiB/s | seconds | CPU s (both sides) | client peak RSS | server peak RSS |');
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.round} | ${r.name} | ${r.mibps.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds ? r.cpuSeconds.toFixed(2) : '–'} | ${mb(r.clientRss)} | ${mb(r.serverRss)} |`);
  }
  // Paired ratios: each round's file-transfer figure against the raw pipe of the same round.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const find = (r: number, prefix: string) => rows.find((x) => x.round === r && x.name.startsWith(prefix))!;
  for (const dirn of ['upload', 'download']) {
    const speed: number[] = [];
    const cpu: number[] = [];
    for (let r = 1; r <= RUNS; r++) {
      const ft = find(r, `file-transfer ${dirn}`);
      const raw = find(r, `raw node:net ${dirn} (no hashing)`);
      speed.push(ft.mibps / raw.mibps);
      cpu.push(ft.cpuSeconds / raw.cpuSeconds);
    }
    console.log(`${dirn}: throughput vs raw node:net per round ${speed.map((x) => x.toFixed(2)).join(', ')} (median ${median([...speed]).toFixed(2)}×); CPU time vs raw ${cpu.map((x) => x.toFixed(2)).join(', ')} (median ${median([...cpu]).toFixed(2)}×)`);
  }
  const hashed: number[] = [];
  for (let r = 1; r <= RUNS; r++) hashed.push(find(r, 'raw node:net upload + SHA-256').mibps / find(r, 'raw node:net upload (no hashing)').mibps);
  console.log(`raw upload + SHA-256 both ends vs raw upload, per round ${hashed.map((x) => x.toFixed(2)).join(', ')} (median ${median(hashed).toFixed(2)}×)`);
}

await main();
