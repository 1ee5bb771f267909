/**
 * Large frames through the port: server CPU per MiB echoed, 1 MiB length-prefixed frames, one
 * connection, 4 in flight — the three ways a spanning frame can reach the handler, measured in
 * the same run:
 *
 *   copy   CompletionPort, handler with onMessage only: each frame joined into one buffer (the
 *          design before onMessageParts)
 *   parts  CompletionPort, handler with onMessageParts + conn.sendParts: views, nothing joined
 *   plain  plain node:net framed echo (chunks collected, Buffer.concat once, write the view)
 *
 *   pnpm --filter @iocp/transport build && cd packages/transport && npx tsx bench/large-frames.ts
 *   (env: BENCH_ROUNDS=5 BENCH_MS=3000 BENCH_MIB=1)
 *
 * Each round starts every server in a fresh process pinned to CPU 0 and the load generator in
 * another process pinned to CPU 1; order rotates between rounds. Reported: median MiB/s and the
 * server's CPU time (user + system) per MiB echoed.
 */
import { type Socket, connect, createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lengthPrefixed } from '@iocp/framing';
import { CompletionPort, type Connection } from '../src/index.js';
import { measuredRun, median, pin } from './internal/runs.js';

const SELF = fileURLToPath(import.meta.url);
const DEPTH = 4;
const KINDS = ['copy', 'parts', 'plain'] as const;
type Kind = (typeof KINDS)[number];

async function startServer(kind: Kind): Promise<number> {
  if (kind === 'plain') {
    const server = createServer({ noDelay: true }, (sock: Socket) => {
      let chunks: Buffer[] = [];
      let held = 0;
      let need = 4;
      sock.on('error', () => {});
      sock.on('drain', () => sock.resume());
      sock.on('data', (chunk: Buffer) => {
        let buf = chunk;
        if (held > 0) {
          chunks.push(chunk);
          held += chunk.length;
          if (held < need) return;
          buf = Buffer.concat(chunks, held);
          chunks = [];
          held = 0;
        }
        let off = 0;
        let ok = true;
        sock.cork();
        while (buf.length - off >= 4) {
          const len = buf.readUInt32BE(off);
          if (buf.length - off < 4 + len) break;
          ok = sock.write(buf.subarray(off, off + 4 + len));
          off += 4 + len;
        }
        sock.uncork();
        if (off < buf.length) {
          const rest = buf.subarray(off);
          chunks = [rest];
          held = rest.length;
          need = rest.length >= 4 ? 4 + rest.readUInt32BE(0) : 4;
        } else {
          need = 4;
        }
        if (!ok) sock.pause();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  }
  const port = new CompletionPort({ sendQueue: { maxBytes: 64 * 1024 * 1024 } });
  const pauseIfFull = (conn: Connection) => {
    if (!conn.writable) conn.pause();
  };
  const l = await port.listen(
    { codec: lengthPrefixed({ maxFrameLength: 64 * 1024 * 1024 }) },
    {
      onMessage(conn, frame) {
        conn.send(frame);
        pauseIfFull(conn);
      },
      onDrain: (conn) => conn.resume(),
      ...(kind === 'parts'
        ? {
            onMessageParts(conn, frame) {
              conn.sendParts(frame);
              pauseIfFull(conn);
            },
          }
        : {}),
    },
  );
  return l.port;
}

async function serverRole(kind: Kind): Promise<void> {
  pin(process.pid, 0);
  const port = await startServer(kind);
  process.on('message', (m: { t: string }) => {
    if (m.t === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ t: 'cpu', us: c.user + c.system });
    } else if (m.t === 'stop') process.exit(0);
  });
  process.send!({ t: 'ready', port });
}

/** One connection, DEPTH frames in flight; counts whole echoed frames (length checked). */
async function loadRole(port: number, mib: number, warmMs: number, measureMs: number): Promise<void> {
  pin(process.pid, 1);
  const size = Math.round(mib * 1024 * 1024);
  const frame = Buffer.alloc(4 + size, 0x5a);
  frame.writeUInt32BE(size, 0);
  const wire = 4 + size;
  let received = 0;
  let done = 0;
  let counting = false;
  let count = 0;
  const s = connect({ host: '127.0.0.1', port, noDelay: true });
  s.on('error', (e) => {
    console.error(e);
    process.exit(1);
  });
  s.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const complete = Math.floor(received / wire) - done;
    if (complete <= 0) return;
    done += complete;
    if (counting) count += complete;
    for (let i = 0; i < complete; i++) s.write(frame);
  });
  await new Promise<void>((r) => s.once('connect', () => r()));
  for (let i = 0; i < DEPTH; i++) s.write(frame);
  await new Promise((r) => setTimeout(r, warmMs));
  counting = true;
  process.send!({ t: 'start' });
  await new Promise((r) => setTimeout(r, measureMs));
  counting = false;
  process.send!({ t: 'done', count });
  s.destroy();
  process.disconnect();
}

async function round(kind: Kind, mib: number, ms: number): Promise<{ mibPerSec: number; cpuUsPerMib: number }> {
  const { count, cpuUs, secs } = await measuredRun(SELF, ['server', kind], (port) => ['load', String(port), String(mib), '1000', String(ms)]);
  const moved = count * mib;
  return { mibPerSec: moved / secs, cpuUsPerMib: cpuUs / moved };
}

async function main(): Promise<void> {
  const [role, a, b, c, d] = process.argv.slice(2);
  if (role === 'server') return serverRole(a as Kind);
  if (role === 'load') return loadRole(Number(a), Number(b), Number(c), Number(d));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const ms = Number(process.env.BENCH_MS ?? 3000);
  const mib = Number(process.env.BENCH_MIB ?? 1);
  const pinned = pin(process.pid, 0);
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), pinned: ${pinned}`);
  console.log(`large frames: 1 connection, ${mib} MiB frames, ${DEPTH} in flight, ${rounds}x${ms} ms per server, order rotating`);
  const res: Record<Kind, { mibPerSec: number; cpuUsPerMib: number }[]> = { copy: [], parts: [], plain: [] };
  for (let i = 0; i < rounds; i++) {
    const order = KINDS.map((_, j) => KINDS[(i + j) % KINDS.length]!);
    for (const kind of order) {
      const r = await round(kind, mib, ms);
      res[kind].push(r);
      console.log(`  round ${i + 1} ${kind.padEnd(5)} ${Math.round(r.mibPerSec).toLocaleString('en')} MiB/s, ${Math.round(r.cpuUsPerMib)} µs CPU/MiB`);
    }
  }
  const m = (k: Kind) => ({ rate: median(res[k].map((r) => r.mibPerSec)), cpu: median(res[k].map((r) => r.cpuUsPerMib)) });
  const plain = m('plain');
  for (const k of KINDS) {
    const x = m(k);
    console.log(
      `median  ${k.padEnd(5)} ${Math.round(x.rate).toLocaleString('en')} MiB/s (${(x.rate / plain.rate).toFixed(2)}x plain), ` +
        `${Math.round(x.cpu)} µs CPU/MiB (${(x.cpu / plain.cpu).toFixed(2)}x plain)`,
    );
  }
}

await main();
