/**
 * Reorderer throughput against a Map-based reorderer, same process, alternating rounds.
 *
 *   npx -y pnpm@9.15.9 --filter @iocp/reorder bench
 *
 * Env: ROUNDS (default 9), ITEMS per round (default 1_000_000).
 */
import { Reorderer } from '../src/index.js';
import { MapReorderer } from './map-reorderer.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ITEMS = Number(process.env.ITEMS ?? 1_000_000);

/** Sequence numbers 0..n-1, each consecutive block of `block` shuffled (block 1 = in order). */
function arrivalOrder(n: number, block: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  let s = seed >>> 0;
  const rand = () => {
    // xorshift32: deterministic, the same order for both contenders.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  for (let base = 0; base < n; base += block) {
    const end = Math.min(n, base + block);
    for (let i = end - 1; i > base; i--) {
      const j = base + (rand() % (i - base + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
  }
  return out;
}

interface Workload {
  name: string;
  order: Uint32Array;
  window: number;
}

let sink = 0;
function onRelease(item: object, seq: number): void {
  sink = (sink + seq) | 0;
  if (item === null) sink++;
}

const payload = {};

function runReorderer(w: Workload): number {
  const r = new Reorderer<object>({ window: w.window, onRelease });
  const order = w.order;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < order.length; i++) r.push(order[i]!, payload);
  const ns = Number(process.hrtime.bigint() - t0);
  if (r.expected !== order.length) throw new Error('reorderer lost items');
  return (order.length / ns) * 1e9;
}

function runMap(w: Workload): number {
  const r = new MapReorderer<object>(onRelease);
  const order = w.order;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < order.length; i++) r.push(order[i]!, payload);
  return (order.length / Number(process.hrtime.bigint() - t0)) * 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const workloads: Workload[] = [
  { name: 'in order', order: arrivalOrder(ITEMS, 1, 1), window: 1024 },
  { name: 'shuffled within 64', order: arrivalOrder(ITEMS, 64, 2), window: 64 },
  { name: 'shuffled within 1024', order: arrivalOrder(ITEMS, 1024, 3), window: 1024 },
];

console.log(`node ${process.version}, ${ITEMS} items x ${ROUNDS} rounds per contender, alternating`);
const rows: string[] = [];
for (const w of workloads) {
  // Warm up both.
  runReorderer(w);
  runMap(w);
  const ours: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      ours.push(runReorderer(w));
      base.push(runMap(w));
    } else {
      base.push(runMap(w));
      ours.push(runReorderer(w));
    }
  }
  const a = median(ours);
  const b = median(base);
  rows.push(
    `| ${w.name} | ${(a / 1e6).toFixed(1)} M/s | ${(b / 1e6).toFixed(1)} M/s | ${(a / b).toFixed(2)}x |`,
  );
}
console.log('| workload | Reorderer (ring) | Map reorderer | ratio |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
if (sink === 42) console.log('');
