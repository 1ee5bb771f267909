/**
 * The port-wide memory budget under attack, full size: a server with `limits.maxBufferedBytes`
 * 256 MiB against 2,000 peers that each announce a 16 MiB frame and trickle it, plus 2,000 peers
 * that send frames and never read the echoes, plus healthy peers that ping-pong 1 KiB frames.
 * Prints the server's RSS curve (one line a second) and PASS/FAIL:
 *
 * - the server process never dies;
 * - its RSS stays below its baseline (measured with the healthy peers connected, before the
 *   attack) plus the budget;
 * - every healthy peer stays connected and keeps echoing (an echo in every second), with the
 *   round trip p99 over the run below 1 s.
 *
 *   pnpm --filter @iocp/transport build
 *   cd packages/transport && npx tsx bench/memory-budget.ts [--seconds 60] [--budget 256] [--peers 2000] [--drip 2048]
 *
 * `--drip` is what each trickler sends every 100 ms (bytes). `--rss-info-only` prints the RSS
 * check without failing on it (CI: the counted bound, survival and the healthy peers gate; RSS
 * above baseline + budget after shed-and-reconnect cycles is a known open problem, see README).
 *
 * Shed attackers reconnect after a second (refused while the port is under pressure), so the
 * pressure lasts the whole run. The server runs in a child process (its RSS is what is
 * measured); the peers run in this one. Needs about 8,500 file descriptors (`ulimit -n`).
 */
import { type Socket, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type FrameParts, lengthPrefixed } from '@iocp/framing';
import { type Connection, CompletionPort, type PortStats } from '../src/index.js';
import { forkSelf, nextMessage } from './internal/runs.js';

const SELF = fileURLToPath(import.meta.url);
const MIB = 1024 * 1024;
const MAX_FRAME = 16 * MIB;

interface Sample {
  t: 'sample';
  rss: number;
  heap: number;
  buffers: number;
  stats: PortStats;
}

// ------------------------------------------------------------------ server (child)

async function server(budget: number): Promise<void> {
  const port = new CompletionPort({
    limits: { maxBufferedBytes: budget },
    sendQueue: { maxBytes: MAX_FRAME + 4 + 64 * 1024 },
  });
  // The echo server's handler: reply, pause while not writable, resume on drain; large frames as views.
  const reply = (c: Connection, f: Buffer) => {
    c.send(f);
    if (!c.writable) c.pause();
  };
  const replyParts = (c: Connection, f: FrameParts) => {
    c.sendParts(f);
    if (!c.writable) c.pause();
  };
  const l = await port.listen(
    { codec: lengthPrefixed({ maxFrameLength: MAX_FRAME }) },
    { onMessage: reply, onMessageParts: replyParts, onDrain: (c) => c.resume() },
  );
  process.on('message', (m: { t: string }) => {
    if (m.t === 'sample') {
      const mu = process.memoryUsage();
      process.send!({ t: 'sample', rss: mu.rss, heap: mu.heapUsed, buffers: mu.arrayBuffers, stats: port.stats() } satisfies Sample);
    } else if (m.t === 'stop') {
      void port.close({ drainMs: 0 }).then(() => process.exit(0));
    }
  });
  process.send!({ t: 'ready', port: l.port });
}

// ------------------------------------------------------------------ peers (this process)

interface Healthy {
  socket: Socket;
  sentAt: number;
  rtts: number[];
  echoes: number;
  closed: boolean;
}

function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

function open(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(undefined));
  });
}

function healthyPeer(port: number, out: Healthy[]): Promise<void> {
  return open(port).then((s) => {
    if (s === undefined) throw new Error('a healthy peer could not connect');
    const h: Healthy = { socket: s, sentAt: 0, rtts: [], echoes: 0, closed: false };
    const msg = frame(Buffer.alloc(1024, 1));
    let got = 0;
    const ping = () => {
      if (h.closed) return;
      h.sentAt = performance.now();
      s.write(msg);
    };
    s.on('data', (chunk: Buffer) => {
      got += chunk.length;
      while (got >= msg.length) {
        got -= msg.length;
        h.rtts.push(performance.now() - h.sentAt);
        h.echoes++;
        setTimeout(ping, 20);
      }
    });
    s.on('close', () => {
      h.closed = true;
    });
    out.push(h);
    ping();
  });
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      budget: { type: 'string', default: '256' },
      peers: { type: 'string', default: '2000' },
      healthy: { type: 'string', default: '20' },
      drip: { type: 'string', default: '2048' },
      'rss-info-only': { type: 'boolean', default: false },
    },
  });
  const rssGates = !values['rss-info-only'];
  const seconds = Number(values.seconds);
  const budget = Number(values.budget) * MIB;
  const peers = Number(values.peers);
  const healthyCount = Number(values.healthy);
  const dripBytes = Number(values.drip);
  const child = forkSelf(SELF, ['server', String(budget)]);
  let died: string | undefined;
  child.once('exit', (code, signal) => {
    died = `server exited (code ${code}, signal ${signal})`;
  });
  const { port } = await nextMessage<{ port: number }>(child, 'ready');
  const sample = async (): Promise<Sample> => {
    child.send({ t: 'sample' });
    return nextMessage<Sample>(child, 'sample');
  };

  const healthy: Healthy[] = [];
  for (let i = 0; i < healthyCount; i++) await healthyPeer(port, healthy);

  let running = true;
  let reconnects = 0;
  const trickle = new Set<Socket>();
  const head = Buffer.alloc(4);
  head.writeUInt32BE(MAX_FRAME, 0);
  const drip = Buffer.alloc(dripBytes, 2);
  const mute = frame(Buffer.alloc(64 * 1024, 3));
  const start = (s: Socket, kind: 'trickle' | 'mute'): void => {
    if (kind === 'trickle') {
      s.write(head);
      trickle.add(s);
    } else {
      s.pause(); // never reads the echoes
      for (let i = 0; i < 8; i++) s.write(mute);
    }
  };
  const attack = async (kind: 'trickle' | 'mute', first: boolean): Promise<Socket | undefined> => {
    const s = await open(port);
    if (s === undefined) {
      if (running) setTimeout(() => void attack(kind, false), 1000);
      return undefined;
    }
    s.once('close', () => {
      trickle.delete(s);
      if (running) {
        reconnects++;
        setTimeout(() => void attack(kind, false), 1000);
      }
    });
    if (!first) start(s, kind);
    return s;
  };
  // Connect every attacker first: the baseline is the server with all its connections, holding
  // nothing (the budget bounds buffered bytes; maxConnections bounds connections).
  const opened: { s: Socket; kind: 'trickle' | 'mute' }[] = [];
  const opening: Promise<void>[] = [];
  for (let i = 0; i < peers; i++) {
    for (const kind of ['trickle', 'mute'] as const) {
      opening.push(
        attack(kind, true).then((s) => {
          if (s !== undefined) opened.push({ s, kind });
        }),
      );
    }
    if (i % 100 === 99) await Promise.all(opening.splice(0));
  }
  await Promise.all(opening);
  await new Promise((r) => setTimeout(r, 2000));
  const base = await sample();
  const baseline = base.rss;
  console.log(
    `memory-budget bench: budget ${budget / MIB} MiB, ${peers} trickling 16 MiB frames (${dripBytes} B / 100 ms) + ${peers} never reading + ${healthyCount} healthy, ${seconds} s; ` +
      `server baseline RSS ${(baseline / MIB).toFixed(1)} MiB with ${base.stats.connections.current} connections, node ${process.version}`,
  );
  // The attack starts over about two seconds (100 peers every 50 ms), not in one burst.
  for (let i = 0; i < opened.length; i += 100) {
    for (const { s, kind } of opened.slice(i, i + 100)) if (!s.destroyed) start(s, kind);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Every 100 ms each trickler sends 2 KiB more of its frame (skipped while its socket is full).
  const dripTimer = setInterval(() => {
    for (const s of trickle) if (s.writableLength < 64 * 1024) s.write(drip);
  }, 100);

  console.log('   t  rss MiB  heap  buffers  held MiB  input  queued  pressure  paused  sheds  refused  conns  healthy p99 ms  echoes/s');
  let maxRss = 0;
  let worstP99 = 0;
  let silentSeconds = 0;
  let lastEchoes = healthy.reduce((n, h) => n + h.echoes, 0);
  const allRtts: number[] = [];
  const t0 = performance.now();
  for (let sec = 1; sec <= seconds && died === undefined; sec++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (died !== undefined) break;
    const s = await sample();
    const m = s.stats.memory;
    maxRss = Math.max(maxRss, s.rss);
    const rtts = healthy.flatMap((h) => h.rtts.splice(0));
    allRtts.push(...rtts);
    const p99 = percentile(rtts, 99);
    if (Number.isFinite(p99)) worstP99 = Math.max(worstP99, p99);
    const echoes = healthy.reduce((n, h) => n + h.echoes, 0);
    if (echoes === lastEchoes) silentSeconds++;
    console.log(
      `${String(Math.round((performance.now() - t0) / 1000)).padStart(4)}  ${(s.rss / MIB).toFixed(1).padStart(7)}  ${(s.heap / MIB).toFixed(0).padStart(4)}  ${(s.buffers / MIB).toFixed(0).padStart(7)}  ${(m.bufferedBytes / MIB).toFixed(1).padStart(8)}  ${(m.inputBytes / MIB).toFixed(0).padStart(5)}  ${(m.queuedBytes / MIB).toFixed(0).padStart(6)}  ${String(m.pressure).padStart(8)}  ${String(m.pausedNow).padStart(6)}  ${String(m.sheds).padStart(5)}  ${String(s.stats.connections.refused['memory-budget'] ?? 0).padStart(7)}  ${String(s.stats.connections.current).padStart(5)}  ${p99.toFixed(1).padStart(14)}  ${String(echoes - lastEchoes).padStart(8)}`,
    );
    lastEchoes = echoes;
  }
  running = false;
  clearInterval(dripTimer);
  const end = died === undefined ? await sample() : undefined;
  const p99All = percentile(allRtts, 99);
  const healthyClosed = healthy.filter((h) => h.closed).length;
  const limit = baseline + budget;
  const checks: [string, boolean][] = [
    ['server alive', died === undefined],
    [`max RSS ${(maxRss / MIB).toFixed(1)} MiB < baseline ${(baseline / MIB).toFixed(1)} + budget ${budget / MIB} = ${(limit / MIB).toFixed(1)} MiB`, maxRss < limit],
    [`healthy peers connected: ${healthyCount - healthyClosed}/${healthyCount}`, healthyClosed === 0],
    [`healthy echoes in every second (silent seconds: ${silentSeconds})`, silentSeconds === 0],
    [`healthy round trip p99 over the run ${p99All.toFixed(1)} ms < 1000 ms (worst second ${worstP99.toFixed(1)} ms)`, p99All < 1000],
  ];
  if (end !== undefined) {
    const m = end.stats.memory;
    console.log(
      `budget: peak held ${(m.bufferedBytesPeak / MIB).toFixed(1)} MiB, pressure events ${m.pressureEvents}, pauses ${m.pauses}, sheds ${m.sheds} (${(m.shedBytes / MIB).toFixed(0)} MiB), refused ${end.stats.connections.refused['memory-budget'] ?? 0}, attacker reconnects ${reconnects}`,
    );
  } else {
    console.log(died);
  }
  let ok = true;
  for (const [i, [what, pass]] of checks.entries()) {
    if (i === 1 && !rssGates) {
      console.log(`${pass ? 'ok  ' : 'info'} ${what}${pass ? '' : ' — not met (known, see the README); not gating with --rss-info-only'}`);
      continue;
    }
    console.log(`${pass ? 'ok  ' : 'FAIL'} ${what}`);
    ok &&= pass;
  }
  console.log(ok ? 'PASS' : 'FAIL');
  if (died === undefined) {
    child.send({ t: 'stop' });
    await new Promise((r) => child.once('exit', r));
  }
  process.exit(ok ? 0 : 1);
}

if (process.argv[2] === 'server') void server(Number(process.argv[3]));
else void main();
