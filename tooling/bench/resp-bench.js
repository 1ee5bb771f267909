#!/usr/bin/env node
/**
 * kv-server (apps/kv-server, on @iocp/resp) against a real redis-server, both driven by
 * redis-benchmark in the same run, A/B alternated per repetition. Servers run on CPU 1,
 * redis-benchmark on CPU 0 (taskset) when the machine allows. Prints a markdown ratio table.
 *
 *   pnpm bench:resp                       # -n 200000, 3 repetitions
 *   pnpm bench:resp -- --n 20000 --reps 1 # a short run that only checks the tools work
 *   pnpm bench:resp -- --profile DIR      # also write kv-server's CPU profile (node --cpu-prof) to DIR
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus, release, type } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/cli.js';
import { canPin, spawnNode, stop, waitListening } from './lib/proc.js';
import { summarize } from './lib/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KV = resolve(ROOT, 'apps/kv-server/bin/kv-server.js');
const USAGE = `usage: node tooling/bench/resp-bench.js [--n REQUESTS] [--clients N] [--reps N] [--no-pin] [--profile DIR]
  --n          requests per redis-benchmark test (default 200000)
  --clients    redis-benchmark connections, -c (default 50)
  --reps       repetitions, A/B alternated (default 3)
  --no-pin     do not pin with taskset
  --profile    run kv-server with node --cpu-prof, profile written to DIR on exit`;

const { flags, fail } = parseFlags('resp-bench', USAGE, {
  n: { type: 'string', default: '200000' },
  clients: { type: 'string', default: '50' },
  reps: { type: 'string', default: '3' },
  'no-pin': { type: 'boolean', default: false },
  profile: { type: 'string' },
});
const n = Number(flags.n);
const clients = Number(flags.clients);
const reps = Number(flags.reps);
for (const [name, v] of [['--n', n], ['--clients', clients], ['--reps', reps]]) {
  if (!Number.isSafeInteger(v) || v < 1) fail(`${name} must be a positive integer`);
}

function has(tool) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
for (const tool of ['redis-server', 'redis-benchmark']) {
  if (!has(tool)) fail(`${tool} is not installed (Debian: apt-get install redis-server redis-tools)`);
}

const pinned = !flags['no-pin'] && canPin();
/** Requests per test of the unrecorded warm-up run. */
const WARMUP_REQUESTS = 20_000;
const SERVER_CPU = pinned ? 1 : undefined;
const LOAD_CPU = pinned ? 0 : undefined;

/** The rows of the issue: -P 1 and -P 16 over five tests, and 4 KiB values at -P 16. */
const SCENARIOS = [
  { id: 'P1', args: ['-t', 'ping,set,get,incr,mset', '-P', '1'], target: 1.0 },
  { id: 'P16', args: ['-t', 'ping,set,get,incr,mset', '-P', '16'], target: 0.9 },
  { id: 'd4096 P16', args: ['-t', 'set,get', '-d', '4096', '-P', '16'], target: 0.9 },
];

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

function pinnedSpawn(command, args, cpu) {
  const argv = cpu === undefined ? [command, ...args] : ['taskset', '-c', String(cpu), command, ...args];
  return spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startRedis() {
  const port = await freePort();
  const child = pinnedSpawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], SERVER_CPU);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  await new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error(`redis-server did not start: ${out.slice(-500)}`)), 10_000);
    const check = () => {
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => ko(new Error(`redis-server exited: ${out.slice(-500)}`)));
  });
  return { port, child };
}

/** One redis-benchmark run of `requests` per test; returns test name → requests per second. */
function benchmark(port, args, requests = n) {
  return new Promise((ok, ko) => {
    const child = pinnedSpawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', String(clients), '--csv', ...args], LOAD_CPU);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('close', (code) => {
      if (code !== 0) return ko(new Error(`redis-benchmark exited ${code}: ${err.slice(-500)}`));
      const rps = new Map();
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line);
        if (m) rps.set(m[1], Number(m[2]));
      }
      if (rps.size === 0) return ko(new Error(`no results from redis-benchmark: ${out.slice(-300)} ${err.slice(-300)}`));
      ok(rps);
    });
  });
}

const nodeFlags = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags.profile)}`] : [];
const kv = spawnNode(KV, ['--listen', '127.0.0.1:0', '--log-level', 'warn'], SERVER_CPU, nodeFlags);
const kvAt = await waitListening(kv, 15_000);
const redis = await startRedis();

/** results[scenario][test] = { A: number[], B: number[] } */
const results = new Map();
try {
  // Warm-up, not recorded: kv-server's JIT compiles its hot path (redis-server needs none, it
  // gets the same run for symmetry).
  for (const sc of SCENARIOS) {
    for (const port of [kvAt.port, redis.port]) await benchmark(port, sc.args, Math.min(n, WARMUP_REQUESTS));
  }
  process.stderr.write('warm-up done\n');
  for (let rep = 0; rep < reps; rep++) {
    for (const sc of SCENARIOS) {
      const order = rep % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const side of order) {
        const rps = await benchmark(side === 'A' ? redis.port : kvAt.port, sc.args);
        const rows = results.get(sc.id) ?? new Map();
        results.set(sc.id, rows);
        for (const [test, value] of rps) {
          const row = rows.get(test) ?? { A: [], B: [] };
          rows.set(test, row);
          row[side].push(value);
        }
        process.stderr.write(`rep ${rep + 1}/${reps} ${sc.id} ${side === 'A' ? 'redis-server' : 'kv-server'} done\n`);
      }
    }
  }
} finally {
  redis.child.kill('SIGKILL');
  await stop(kv, 10_000);
}

const fmt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ')[2] ?? '';
const lines = [
  `Machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${type()} ${release()}; Node ${process.versions.node}; redis-server ${redisVersion.replace('v=', '')}; ` +
    `pinned: ${pinned ? 'servers CPU 1, redis-benchmark CPU 0 (taskset)' : 'no'}; -n ${n} -c ${clients}; ${reps} rep(s), A/B alternated.`,
  'A = redis-server (--save "" --appendonly no), B = kv-server. Cells: requests/s, median (min–max) over the reps. Ratio = B/A medians.',
  '',
  '| run | test | A redis-server | B kv-server | ratio B/A | target |',
  '|---|---|---:|---:|---:|---|',
];
let missed = 0;
for (const sc of SCENARIOS) {
  for (const [test, row] of results.get(sc.id) ?? []) {
    const a = summarize(row.A);
    const b = summarize(row.B);
    const ratio = b.median / a.median;
    const ok = ratio >= sc.target;
    if (!ok) missed++;
    const cell = (s) => (s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median));
    lines.push(`| ${sc.id} | ${test} | ${cell(a)} | ${cell(b)} | ${ratio.toFixed(2)} | ≥ ${sc.target.toFixed(1)} ${ok ? '✓' : '✗'} |`);
  }
}
lines.push('', `${missed === 0 ? 'Every row meets its target.' : `${missed} row(s) below target.`}`);
process.stdout.write(`${lines.join('\n')}\n`);
