/**
 * Quick echo benchmark of @iocp/transport against a plain node:net framed echo server, measured
 * in the same run.
 *
 *   pnpm --filter @iocp/transport build && pnpm --filter @iocp/transport bench
 *   (env: BENCH_ROUNDS=5 BENCH_MS=3000 BENCH_IDLE=10000 BENCH_SKIP_IDLE=1 BENCH_SKIP_ECHO=1)
 *
 * 1. Throughput: 100 connections, 64-byte frames, 16 in flight per connection. Each round starts
 *    the server in a fresh process pinned to CPU 0 (no JIT state shared between A and B) and the
 *    load generator in another process pinned to CPU 1 (when `taskset` works). Rounds alternate
 *    A (CompletionPort) / B (plain); the median of each is reported with the server's CPU time
 *    (user + system, read in the server process) per echoed message.
 * 2. Memory per idle connection: each server in a fresh process; RSS and heap after GC with N
 *    idle connections minus before, divided by N.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lengthPrefixed } from '@iocp/framing';
import { CompletionPort } from '../src/index.js';
import { forkSelf, measuredRun, median, nextMessage, pin } from './internal/runs.js';

const SELF = fileURLToPath(import.meta.url);
const CONNS = 100;
const DEPTH = 16;
const PAYLOAD = 64;
const FRAME = 4 + PAYLOAD;

function noop(): void {}

// ------------------------------------------------------------------ servers under test

interface Running {
  port: number;
  stop(): Promise<void>;
}

async function startPortEcho(): Promise<Running> {
  const port = new CompletionPort();
  const l = await port.listen({ codec: lengthPrefixed() }, {
    onMessage(conn, frame) {
      conn.send(frame);
    },
  });
  return { port: l.port, stop: () => port.close({ drainMs: 100 }) };
}

/** The obvious good hand-written framed echo: parse, subarray, write; cork per chunk; pause on backpressure. */
function plainConnection(sock: Socket): void {
  let pending: Buffer | null = null;
  const resume = () => sock.resume();
  sock.on('error', noop);
  sock.on('data', (chunk: Buffer) => {
    const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    pending = null;
    let off = 0;
    sock.cork();
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > 16 * 1024 * 1024) {
        sock.destroy();
        return;
      }
      if (buf.length - off < 4 + len) break;
      sock.write(buf.subarray(off, off + 4 + len));
      off += 4 + len;
    }
    sock.uncork();
    if (off < buf.length) pending = buf.subarray(off);
    if (sock.writableNeedDrain) {
      sock.pause();
      sock.once('drain', resume);
    }
  });
}

async function startPlainEcho(): Promise<Running> {
  const server: Server = createServer({ noDelay: true }, plainConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// ------------------------------------------------------------------ load generator (child)

async function loadgen(port: number, warmMs: number, measureMs: number): Promise<void> {
  pin(process.pid, 1);
  const burst = Buffer.alloc(FRAME * DEPTH);
  for (let i = 0; i < DEPTH; i++) burst.writeUInt32BE(PAYLOAD, i * FRAME);
  let counting = false;
  let count = 0;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: CONNS },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port, noDelay: true });
          sockets.push(s);
          let received = 0;
          let done = 0;
          s.on('data', (chunk: Buffer) => {
            received += chunk.length;
            const complete = Math.floor(received / FRAME) - done;
            if (complete === 0) return;
            done += complete;
            if (counting) count += complete;
            s.write(burst.subarray(0, complete * FRAME));
          });
          s.on('error', reject);
          s.once('connect', () => {
            s.write(burst);
            resolve();
          });
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, warmMs));
  counting = true;
  process.send!({ t: 'start' });
  await new Promise((r) => setTimeout(r, measureMs));
  counting = false;
  process.send!({ t: 'done', count });
  for (const s of sockets) s.destroy();
  process.disconnect();
}

async function idleClients(port: number, n: number): Promise<void> {
  const sockets: Socket[] = [];
  const BATCH = 500;
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(
      Array.from(
        { length: Math.min(BATCH, n - i) },
        () =>
          new Promise<void>((resolve, reject) => {
            const s = connect({ host: '127.0.0.1', port });
            sockets.push(s);
            s.once('connect', () => resolve());
            s.once('error', reject);
          }),
      ),
    );
  }
  process.send!({ t: 'connected', n: sockets.length });
  process.on('message', (m: { t: string }) => {
    if (m.t === 'exit') {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------ echo server (child)

async function echoServer(kind: string): Promise<void> {
  pin(process.pid, 0);
  const server = kind === 'port' ? await startPortEcho() : await startPlainEcho();
  process.on('message', (m: { t: string }) => {
    if (m.t === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ t: 'cpu', us: c.user + c.system });
    } else if (m.t === 'stop') {
      void server.stop().then(() => process.exit(0));
    }
  });
  process.send!({ t: 'ready', port: server.port });
}

// ------------------------------------------------------------------ memory server (child)

async function memServer(kind: string): Promise<void> {
  pin(process.pid, 0);
  let count: () => number;
  let port: number;
  if (kind === 'port') {
    const p = new CompletionPort();
    const l = await p.listen({ codec: lengthPrefixed() }, { onMessage: (c, f) => void c.send(f) });
    port = l.port;
    count = () => p.stats().connections.current;
  } else {
    let n = 0;
    const server = createServer({ noDelay: true }, (s) => {
      n++;
      s.on('close', () => n--);
      plainConnection(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    count = () => n;
  }
  const gc = (globalThis as { gc?: () => void }).gc!;
  process.on('message', (m: { t: string }) => {
    if (m.t === 'measure') {
      for (let i = 0; i < 3; i++) gc();
      const mem = process.memoryUsage();
      process.send!({ t: 'mem', rss: mem.rss, heap: mem.heapUsed, external: mem.external, count: count() });
    }
  });
  process.send!({ t: 'ready', port });
}

// ------------------------------------------------------------------ orchestration

async function round(kind: 'port' | 'plain', warmMs: number, measureMs: number): Promise<{ rate: number; cpuUsPerMsg: number }> {
  const { count, cpuUs, secs } = await measuredRun(SELF, ['echo-server', kind], (port) => ['loadgen', String(port), String(warmMs), String(measureMs)]);
  return { rate: count / secs, cpuUsPerMsg: cpuUs / count };
}

async function memory(kind: 'port' | 'plain', n: number): Promise<{ rssPerConn: number; heapPerConn: number; externalPerConn: number }> {
  const server = forkSelf(SELF, ['mem-server', kind], ['--expose-gc']);
  const ready = await nextMessage<{ port: number }>(server, 'ready');
  server.send({ t: 'measure' });
  const before = await nextMessage<{ rss: number; heap: number; external: number }>(server, 'mem');
  const clients = forkSelf(SELF, ['idle', String(ready.port), String(n)]);
  await nextMessage(clients, 'connected');
  let after: { rss: number; heap: number; external: number; count: number };
  for (;;) {
    server.send({ t: 'measure' });
    after = await nextMessage(server, 'mem');
    if (after.count >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  server.send({ t: 'measure' });
  after = await nextMessage(server, 'mem');
  clients.send({ t: 'exit' });
  server.kill();
  await new Promise((r) => clients.once('exit', r));
  return {
    rssPerConn: (after.rss - before.rss) / n,
    heapPerConn: (after.heap - before.heap) / n,
    externalPerConn: (after.external - before.external) / n,
  };
}

async function main(): Promise<void> {
  const [role, a, b, c] = process.argv.slice(2);
  if (role === 'loadgen') return loadgen(Number(a), Number(b), Number(c));
  if (role === 'idle') return idleClients(Number(a), Number(b));
  if (role === 'mem-server') return memServer(a!);
  if (role === 'echo-server') return echoServer(a!);

  const rounds = process.env.BENCH_SKIP_ECHO === '1' ? 0 : Number(process.env.BENCH_ROUNDS ?? 5);
  const ms = Number(process.env.BENCH_MS ?? 3000);
  const pinned = pin(process.pid, 0);
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), servers pinned to CPU 0 and load to CPU 1: ${pinned}`);
  console.log(`echo: ${CONNS} connections, ${PAYLOAD}-byte frames, ${DEPTH} in flight each, ${rounds}x${ms} ms per server after 1 s warm-up, alternating`);
  const res = { port: [] as { rate: number; cpuUsPerMsg: number }[], plain: [] as { rate: number; cpuUsPerMsg: number }[] };
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['port', 'plain'] as const) {
      const r = await round(kind, 1000, ms);
      res[kind].push(r);
      console.log(`  round ${i + 1} ${kind.padEnd(5)} ${Math.round(r.rate).toLocaleString('en')} msg/s, ${r.cpuUsPerMsg.toFixed(2)} µs CPU/msg`);
    }
  }
  if (rounds > 0) report(res);
  if (process.env.BENCH_SKIP_IDLE === '1') return;
  const n = Number(process.env.BENCH_IDLE ?? 10_000);
  console.log(`idle memory: ${n.toLocaleString('en')} idle connections, after GC (ulimit -n must exceed ${n})`);
  const mp = await memory('port', n);
  const mb = await memory('plain', n);
  const fmt = (m: typeof mp) =>
    `RSS ${Math.round(m.rssPerConn).toLocaleString('en')} B/conn, heap ${Math.round(m.heapPerConn).toLocaleString('en')} B/conn, external ${Math.round(m.externalPerConn)} B/conn`;
  console.log(`  CompletionPort ${fmt(mp)}`);
  console.log(`  plain node:net ${fmt(mb)}`);
  console.log(`ratio   RSS per idle connection ${(mp.rssPerConn / mb.rssPerConn).toFixed(2)}x`);
}

function report(res: Record<'port' | 'plain', { rate: number; cpuUsPerMsg: number }[]>): void {
  const pr = median(res.port.map((r) => r.rate));
  const br = median(res.plain.map((r) => r.rate));
  const pc = median(res.port.map((r) => r.cpuUsPerMsg));
  const bc = median(res.plain.map((r) => r.cpuUsPerMsg));
  console.log(`median  CompletionPort ${Math.round(pr).toLocaleString('en')} msg/s, ${pc.toFixed(2)} µs CPU/msg`);
  console.log(`median  plain node:net  ${Math.round(br).toLocaleString('en')} msg/s, ${bc.toFixed(2)} µs CPU/msg`);
  console.log(`ratio   throughput ${(pr / br).toFixed(2)}x, CPU per message ${(pc / bc).toFixed(2)}x`);
}

await main();
