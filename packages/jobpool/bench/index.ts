/**
 * JobPool (keyed ordering) against bare piscina `run()` (no ordering), same process, same worker
 * module (the echo worker), same number of threads, alternating rounds, medians.
 *
 *   npx -y pnpm@9.15.9 --filter @iocp/jobpool bench
 *
 * Both contenders run a closed loop: INFLIGHT jobs outstanding at all times (spread over KEYS
 * keys for the pool), a new job submitted as each result arrives, until JOBS results are in.
 * Env: ROUNDS (default 31), THREADS (default 2), KEYS (default 16), INFLIGHT (default 256).
 */
import { Piscina } from 'piscina';
import { ECHO_WORKER_PATH, JobPool } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 31);
const THREADS = Number(process.env.THREADS ?? 2);
const KEYS = Number(process.env.KEYS ?? 16);
const INFLIGHT = Number(process.env.INFLIGHT ?? 256);

interface Workload {
  name: string;
  costUs: number;
  jobs: number;
  frameBytes: number;
}

const workloads: Workload[] = [
  { name: 'tiny (echo, 16 B)', costUs: 0, jobs: 5_000, frameBytes: 16 },
  { name: 'CPU ~50 µs (echo, 16 B)', costUs: 50, jobs: 2_500, frameBytes: 16 },
].filter((w) => process.env.ONLY === undefined || w.name.startsWith(process.env.ONLY));

function frame(bytes: number, i: number): Uint8Array {
  const f = new Uint8Array(bytes);
  f[0] = i & 0xff;
  return f;
}

/** Bare piscina: INFLIGHT outstanding `run()` calls, no ordering. */
function runBare(piscina: Piscina, w: Workload): Promise<number> {
  return new Promise((resolve, reject) => {
    let submitted = 0;
    let done = 0;
    const t0 = performance.now();
    const onDone = (): void => {
      done++;
      if (done === w.jobs) resolve((w.jobs / (performance.now() - t0)) * 1000);
      else if (submitted < w.jobs) submit();
    };
    const submit = (): void => {
      submitted++;
      piscina.run(frame(w.frameBytes, submitted)).then(onDone, reject);
    };
    for (let i = 0; i < INFLIGHT && submitted < w.jobs; i++) submit();
  });
}

/** JobPool: INFLIGHT outstanding jobs over KEYS keys, results in order per key. */
function runPool(w: Workload, pool: JobPool<Uint8Array, Uint8Array, number>, round: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let submitted = 0;
    let done = 0;
    const expected = new Uint8Array(KEYS);
    const t0 = performance.now();
    const base = round * KEYS;
    for (let k = 0; k < KEYS; k++) {
      pool.openKey(base + k, {
        onResult(key, result) {
          // Check the order: each key's frames carry 0, 1, 2, ... in their first byte.
          const k2 = key - base;
          if (result[0] !== expected[k2]) reject(new Error(`out of order on key ${key}`));
          expected[k2] = (expected[k2]! + 1) & 0xff;
          done++;
          if (done === w.jobs) {
            for (let j = 0; j < KEYS; j++) pool.cancelKey(base + j);
            resolve((w.jobs / (performance.now() - t0)) * 1000);
          } else if (submitted < w.jobs) {
            submitted++;
            pool.submit(key, frame(w.frameBytes, nextSeq[k2]!++));
          }
        },
        onError: (_key, error) => reject(error),
      });
    }
    const nextSeq = new Uint32Array(KEYS);
    for (let i = 0; i < INFLIGHT && submitted < w.jobs; i++) {
      const k = i % KEYS;
      submitted++;
      pool.submit(base + k, frame(w.frameBytes, nextSeq[k]!++));
    }
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

console.log(
  `node ${process.version}, ${THREADS} threads each, ${INFLIGHT} jobs in flight (${KEYS} keys for JobPool), ${ROUNDS} rounds alternating`,
);
const rows: string[] = [];
for (const w of workloads) {
  const piscina = new Piscina({
    filename: ECHO_WORKER_PATH,
    minThreads: THREADS,
    maxThreads: THREADS,
    workerData: { costUs: w.costUs },
  });
  const pool = new JobPool<Uint8Array, Uint8Array, number>({
    filename: ECHO_WORKER_PATH,
    threads: THREADS,
    workerData: { costUs: w.costUs },
  });
  // Warm-up: threads started, code optimised.
  await runBare(piscina, { ...w, jobs: Math.min(w.jobs, 3000) });
  await runPool({ ...w, jobs: Math.min(w.jobs, 3000) }, pool, 1000);
  const ours: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      ours.push(await runPool(w, pool, round));
      bare.push(await runBare(piscina, w));
    } else {
      bare.push(await runBare(piscina, w));
      ours.push(await runPool(w, pool, round));
    }
  }
  const reordered = pool.stats().reordered;
  await pool.close();
  await piscina.close();
  if (process.env.VERBOSE) console.log(w.name, { ours: ours.map(Math.round), bare: bare.map(Math.round) });
  const a = median(ours);
  const b = median(bare);
  // Each round's two runs are back to back, so their ratio is less exposed to load drift on a
  // shared machine than the ratio of the medians.
  const pairRatio = median(ours.map((x, i) => x / bare[i]!));
  rows.push(
    `| ${w.name} | ${Math.round(a).toLocaleString('en-US')} jobs/s | ${Math.round(b).toLocaleString('en-US')} jobs/s | ${(a / b).toFixed(2)}x | ${pairRatio.toFixed(2)}x | ${reordered.toLocaleString('en-US')} |`,
  );
}
console.log(
  '| workload | JobPool, keyed order (median) | bare piscina run() (median) | ratio of medians | median of per-round ratios | results reordered |',
);
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
