/**
 * What an idle connection costs a server, in bytes per connection, against the plain node:net
 * framed echo (tooling/bench/baselines/net-framed-echo.js) measured in the same run.
 *
 *   cd packages/transport && npx tsx bench/idle-memory.ts
 *   env: IDLE_N=10000 IDLE_ROUNDS=3 IDLE_KINDS=port,net IDLE_SCENARIOS=echoed,silent
 *        IDLE_SETTLE_MS=2500 IDLE_SNAPSHOT=2000 (heap-snapshot breakdown instead of the A/B rounds;
 *        IDLE_KEEP=1 keeps the .heapsnapshot files) IDLE_REF=HEAD (git ref of the `ref` kind)
 *
 * Servers (each run in a fresh process, with --expose-gc and bench/mem-probe.js preloaded):
 * - `port`: CompletionPort (this package's src, via tsx) + lengthPrefixed({ maxFrameLength:
 *   16 MiB }) + a handler written like apps/echo-server's echo handler, with the app's defaults;
 * - `ref`:  the same on this package's src as of git ref IDLE_REF (before/after a change, same run);
 * - `app`:  apps/echo-server itself, default flags (needs `pnpm build`);
 * - `net`:  the node:net baseline, unchanged.
 *
 * Scenarios: `echoed` — every connection sends one 64-byte length-prefixed frame and gets the
 * echo, then stays idle; `silent` — connections that never send anything. After the last echo
 * the harness waits IDLE_SETTLE_MS (more than two watchdog sweeps of 1 s), forces GC in the
 * server and reads process.memoryUsage(); the figure is (after − before) / N. Kinds alternate
 * within a round, so ours and the baseline see the same machine state.
 *
 * Reading the columns: `heap used` (and the snapshot breakdown) is what the connections keep;
 * `old` is old-space committed (kept objects plus the holes left by objects that died there);
 * `young` is the semi-space size V8 chose from the allocation rate — a large share of RSS at 10k
 * connections, held by no connection; `malloc` is native memory (socket handles). RSS moves by a
 * few hundred bytes per connection between rounds: compare medians, and the components.
 */
import { type ChildProcess, execSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FrameParts, lengthPrefixed } from '@iocp/framing';
import type { Connection, Handler } from '../src/index.js';
import { median } from './internal/runs.js';

const SELF = fileURLToPath(import.meta.url);
const HERE = dirname(SELF);
const PROBE = join(HERE, 'mem-probe.js');
const ROOT = resolve(HERE, '../../..');
const BASELINE = join(ROOT, 'tooling/bench/baselines/net-framed-echo.js');
const APP = join(ROOT, 'apps/echo-server/bin/echo-server.js');
/** Where the `ref` kind's sources are extracted (inside node_modules: '@iocp/framing' resolves, git ignores it). */
const REF_DIR = join(HERE, '../node_modules/.idle-memory-ref');

const PAYLOAD = 64;
const FRAME = Buffer.alloc(4 + PAYLOAD, 0x61);
FRAME.writeUInt32BE(PAYLOAD, 0);

type Kind = 'port' | 'ref' | 'app' | 'net';
type Scenario = 'echoed' | 'silent';

interface Mem {
  /** RSS before the forced GC: what a sampler (apps/stress + tooling/bench) sees. */
  rawRss: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** RSS of the main malloc arena: native memory (sockets, libuv handles, backing stores). */
  mallocRss: number;
  /** Committed size of V8's young generation (semi-spaces): sized by allocation rate, not by what is kept. */
  young: number;
  /** Committed size of V8's old space: where what a connection keeps ends up. */
  old: number;
}
const FIELDS = ['rawRss', 'rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers', 'mallocRss', 'young', 'old'] as const;

type Reading = Omit<Mem, 'young' | 'old'> & { spaces: Record<string, { size: number; used: number }> };

function reading(r: Reading): Mem {
  const sp = (name: string) => r.spaces[name]?.size ?? 0;
  return { ...r, young: sp('new_space') + sp('new_large_object_space'), old: sp('old_space') };
}

// ------------------------------------------------------------------ `port` server (child)

/** apps/echo-server's configuration with default flags, on this package's sources (or those of `srcDir`). */
async function portServer(srcDir: string | undefined): Promise<void> {
  const { CompletionPort } = (await import(
    srcDir === undefined ? '../src/index.js' : join(srcDir, 'index.ts')
  )) as typeof import('../src/index.js');
  const maxFrame = 16 * 1024 * 1024;
  const port = new CompletionPort({
    timeouts: { firstDataMs: 0, idleMs: 0 },
    sendQueue: { maxBytes: Math.max(4 * 1024 * 1024, maxFrame + 4 + 64 * 1024) },
  });
  const debug = process.env.IDLE_DEBUG === '1';
  const reply = (conn: Connection, bytes: Buffer): void => {
    conn.send(bytes);
    if (!conn.writable) conn.pause();
  };
  const handler: Handler = {
    onOpen(conn) {
      if (debug) console.error('open', conn.handle);
    },
    onMessage: reply,
    onMessageParts(conn, frame: FrameParts) {
      conn.sendParts(frame);
      if (!conn.writable) conn.pause();
    },
    onDrain(conn) {
      conn.resume();
    },
    onClose(conn, reason) {
      if (debug) console.error('close', conn.handle, reason);
    },
  };
  const l = await port.listen({ host: '127.0.0.1', port: 0, codec: lengthPrefixed({ maxFrameLength: maxFrame }) }, handler);
  process.stdout.write(`listening ${l.address}\n`);
}

// ------------------------------------------------------------------ harness

function startServer(kind: Kind): Promise<{ cp: ChildProcess; port: number }> {
  const probe = ['--expose-gc', '--import', PROBE];
  const stdio: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];
  let cp: ChildProcess;
  if (kind === 'port') cp = fork(SELF, ['port-server'], { execArgv: [...process.execArgv, ...probe], stdio });
  else if (kind === 'ref') cp = fork(SELF, ['port-server', join(REF_DIR, 'packages/transport/src')], { execArgv: [...process.execArgv, ...probe], stdio });
  else if (kind === 'app') cp = fork(APP, ['--listen', '127.0.0.1:0'], { execArgv: probe, stdio });
  else cp = fork(BASELINE, ['--listen', '127.0.0.1:0'], { execArgv: probe, stdio });
  let err = '';
  cp.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    cp.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening \S+:(\d+)/.exec(out);
      if (m) resolve({ cp, port: Number(m[1]) });
    });
    cp.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before listening: ${err}`)));
  });
}

function ask<T>(cp: ChildProcess, msg: object, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { t: string }) => {
      if (m.t === type) {
        cp.off('message', on);
        resolve(m as T);
      }
    };
    cp.on('message', on);
    cp.send(msg);
  });
}

/** Open `n` connections (500 at a time); with `echo`, each sends one frame and waits for it back. */
async function openClients(port: number, n: number, echo: boolean): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const BATCH = 500;
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(
      Array.from(
        { length: Math.min(BATCH, n - i) },
        () =>
          new Promise<void>((resolve, reject) => {
            const s = connect({ host: '127.0.0.1', port, noDelay: true });
            sockets.push(s);
            s.once('error', reject);
            s.once('connect', () => {
              if (!echo) {
                resolve();
                return;
              }
              let got = 0;
              s.on('data', (d: Buffer) => {
                got += d.length;
                if (got >= FRAME.length) resolve();
              });
              s.write(FRAME);
            });
          }),
      ),
    );
  }
  return sockets;
}

async function closeAll(cp: ChildProcess, sockets: Socket[]): Promise<void> {
  const exited = new Promise((r) => cp.once('exit', r));
  cp.kill('SIGKILL');
  await exited;
  for (const s of sockets) s.destroy();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(kind: Kind, scenario: Scenario, n: number, settleMs: number): Promise<Mem> {
  const { cp, port } = await startServer(kind);
  await ask<Reading>(cp, { t: 'measure' }, 'mem');
  // Measured twice: the second reading's rawRss is taken after the startup garbage is gone.
  const before = reading(await ask<Reading>(cp, { t: 'measure' }, 'mem'));
  const sockets = await openClients(port, n, scenario === 'echoed');
  await sleep(settleMs);
  const after = reading(await ask<Reading>(cp, { t: 'measure' }, 'mem'));
  await closeAll(cp, sockets);
  const d = {} as Mem;
  for (const f of FIELDS) d[f] = (after[f] - before[f]) / n;
  return d;
}

function fmt(m: Mem): string {
  const b = (x: number, w = 5) => `${x.toFixed(0).padStart(w)} B`;
  return `RSS ${b(m.rss)}  raw RSS ${b(m.rawRss)}  heap used ${b(m.heapUsed)}  heap total ${b(m.heapTotal)} (young ${b(m.young)}, old ${b(m.old)})  malloc ${b(m.mallocRss)}  external ${b(m.external, 3)}  arrayBuffers ${b(m.arrayBuffers, 3)}`;
}

// ------------------------------------------------------------------ heap snapshot breakdown

/** Self size and count of every object, keyed by `type name`, in a .heapsnapshot file. */
function aggregate(path: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const f = snap.snapshot.meta.node_fields;
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; size: number }>();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]!]!;
    let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : snap.strings[nodes[i + iName]!]!;
    if (type === 'code') name = '';
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type} ${name}`;
    const e = out.get(key);
    if (e === undefined) out.set(key, { count: 1, size: nodes[i + iSize]! });
    else {
      e.count++;
      e.size += nodes[i + iSize]!;
    }
  }
  return out;
}

async function snapshotBreakdown(kind: Kind, scenario: Scenario, n: number, settleMs: number, dir: string): Promise<void> {
  const { cp, port } = await startServer(kind);
  const p0 = join(dir, `${kind}-0.heapsnapshot`);
  const p1 = join(dir, `${kind}-1.heapsnapshot`);
  await ask(cp, { t: 'snapshot', path: p0 }, 'snapshot');
  const sockets = await openClients(port, n, scenario === 'echoed');
  await sleep(settleMs);
  await ask(cp, { t: 'snapshot', path: p1 }, 'snapshot');
  await closeAll(cp, sockets);
  const a = aggregate(p0);
  const b = aggregate(p1);
  const rows: { key: string; count: number; size: number }[] = [];
  for (const [key, v] of b) {
    const w = a.get(key) ?? { count: 0, size: 0 };
    const count = (v.count - w.count) / n;
    const size = (v.size - w.size) / n;
    if (Math.abs(size) >= 4 || Math.abs(count) >= 0.5) rows.push({ key, count, size });
  }
  rows.sort((x, y) => y.size - x.size);
  // Compiled code grows with whatever ran, and "synthetic" rows are native objects' estimates.
  const total = rows.filter((r) => !r.key.startsWith('code') && !r.key.startsWith('synthetic')).reduce((s, r) => s + r.size, 0);
  console.log(`\n${kind}, ${scenario}: V8 heap objects per connection (self sizes, ${n} connections); JS objects ≈ ${total.toFixed(0)} B`);
  for (const r of rows.slice(0, 40)) console.log(`  ${r.size.toFixed(1).padStart(7)} B  ${r.count.toFixed(2).padStart(5)}×  ${r.key}`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (process.argv[2] === 'port-server') return portServer(process.argv[3]);
  const n = Number(process.env.IDLE_N ?? 10_000);
  const rounds = Number(process.env.IDLE_ROUNDS ?? 3);
  const settleMs = Number(process.env.IDLE_SETTLE_MS ?? 2500);
  const kinds = (process.env.IDLE_KINDS ?? 'port,net').split(',') as Kind[];
  const scenarios = (process.env.IDLE_SCENARIOS ?? 'echoed,silent').split(',') as Scenario[];
  const snapN = Number(process.env.IDLE_SNAPSHOT ?? 0);
  if (kinds.includes('ref')) {
    const ref = process.env.IDLE_REF ?? 'HEAD';
    rmSync(REF_DIR, { recursive: true, force: true });
    mkdirSync(REF_DIR, { recursive: true });
    writeFileSync(join(REF_DIR, 'package.json'), '{ "type": "module" }\n');
    execSync(`git -C ${JSON.stringify(ROOT)} archive ${JSON.stringify(ref)} packages/transport/src | tar -x -C ${JSON.stringify(REF_DIR)}`);
    console.log(`ref = packages/transport/src at ${ref} (${execSync(`git -C ${JSON.stringify(ROOT)} rev-parse --short ${JSON.stringify(ref)}`).toString().trim()})`);
  }
  if (snapN > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'idle-mem-'));
    try {
      for (const scenario of scenarios) for (const kind of kinds) await snapshotBreakdown(kind, scenario, snapN, settleMs, dir);
    } finally {
      if (process.env.IDLE_KEEP === '1') console.log(`snapshots kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  console.log(`node ${process.version}; ${n.toLocaleString('en')} connections; settle ${settleMs} ms; per connection after GC: (after - before) / N`);
  const res = new Map<string, Mem[]>();
  for (let r = 1; r <= rounds; r++) {
    for (const scenario of scenarios) {
      // Alternate which kind goes first, so neither always runs on a "warmer" machine.
      const order = r % 2 === 1 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        const m = await measure(kind, scenario, n, settleMs);
        const key = `${scenario} ${kind}`;
        res.set(key, [...(res.get(key) ?? []), m]);
        console.log(`  round ${r} ${scenario.padEnd(6)} ${kind.padEnd(4)} ${fmt(m)}`);
      }
    }
  }
  console.log('median per connection (delta vs net: median of the per-round differences):');
  for (const scenario of scenarios) {
    const base = res.get(`${scenario} net`);
    for (const kind of kinds) {
      const ms = res.get(`${scenario} ${kind}`)!;
      const med = {} as Mem;
      for (const f of FIELDS) med[f] = median(ms.map((m) => m[f]));
      let vs = '';
      if (base !== undefined && kind !== 'net') {
        const diff = (f: keyof Mem) => median(ms.map((m, i) => m[f] - base[i]![f]));
        const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(0)}`;
        vs = `\n${' '.repeat(14)}vs net: RSS ${sign(diff('rss'))} B, raw RSS ${sign(diff('rawRss'))} B, heap used ${sign(diff('heapUsed'))} B, malloc ${sign(diff('mallocRss'))} B`;
      }
      console.log(`  ${scenario.padEnd(6)} ${kind.padEnd(4)} ${fmt(med)}${vs}`);
    }
  }
}

await main();
