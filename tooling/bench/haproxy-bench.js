#!/usr/bin/env node
/**
 * `pnpm bench:haproxy`: the same stress run (A) directly against one echo-server instance and (B)
 * through HAProxy (TCP mode, send-proxy-v2, health checks) against two instances with
 * --proxy-protocol, alternating A B A B. Servers and HAProxy run on CPU 0, the load on CPU 1 when
 * taskset exists. Prints msg/s, p99 and errors of each side (medians over the reps, min–max) and
 * the ratio B/A; --json writes the raw runs too.
 *
 *   node tooling/bench/haproxy-bench.js [--reps 3] [--duration 5] [--connections 50] [--depth 8]
 *        [--size 64] [--workers 1] [--no-pin] [--json FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyConfig } from '@iocp/tooling-deploy/configs';
import {
  ECHO_SERVER,
  freePort,
  haproxyServers,
  killAll,
  runStress,
  startApp,
  startEchoServer,
  startHaproxy,
  waitUntil,
  which,
} from '@iocp/tooling-deploy/processes';
import { parseFlags } from './lib/cli.js';
import { canPin } from './lib/proc.js';
import { summarize } from './lib/stats.js';

const USAGE = `usage: node tooling/bench/haproxy-bench.js [--reps 3] [--duration 5] [--connections 50] [--depth 8]
       [--size 64] [--workers 1] [--no-pin] [--json FILE]`;
const { flags, fail } = parseFlags('haproxy-bench', USAGE, {
  reps: { type: 'string', default: '3' },
  duration: { type: 'string', default: '5' },
  connections: { type: 'string', default: '50' },
  depth: { type: 'string', default: '8' },
  size: { type: 'string', default: '64' },
  workers: { type: 'string', default: '1' },
  'no-pin': { type: 'boolean', default: false },
  json: { type: 'string' },
});
const int = (name, min, max) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer ${min}..${max}`);
  return n;
};
const reps = int('reps', 1, 20);
const connections = int('connections', 1, 100_000);
const depth = int('depth', 1, 65_536);
const size = int('size', 1, 16 * 1024 * 1024);
const workers = int('workers', 1, 64);
const durationS = Number(flags.duration);
if (!(durationS > 0 && durationS <= 120)) fail('--duration must be a number of seconds in (0, 120]');
if (which('haproxy') === undefined) fail('haproxy is not installed (apt-get install haproxy)');
const pinned = !flags['no-pin'] && canPin();
const serverCpu = pinned ? 0 : undefined;
const loadCpu = pinned ? 1 : undefined;

const dir = mkdtempSync(join(tmpdir(), 'iocp-haproxy-bench-'));
const cleanup = async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  const instanceArgs = ['--log-level', 'warn', '--workers', String(workers)];
  // A: one instance, clients connect to it directly (no balancer, so no PROXY header).
  const directPort = await freePort();
  await startApp(ECHO_SERVER, ['--listen', `127.0.0.1:${directPort}`, ...instanceArgs], serverCpu);
  // B: HAProxy in front of two instances with --proxy-protocol.
  const [front, p1, p2] = [await freePort(), await freePort(), await freePort()];
  await Promise.all([startEchoServer(p1, instanceArgs, serverCpu), startEchoServer(p2, instanceArgs, serverCpu)]);
  const statsSocket = join(dir, 'stats.sock');
  const config = haproxyConfig({
    bind: `127.0.0.1:${front}`,
    servers: [
      { name: 'echo1', address: `127.0.0.1:${p1}` },
      { name: 'echo2', address: `127.0.0.1:${p2}` },
    ],
    proxyVersion: 2,
    statsSocket,
  });
  await startHaproxy(config, dir, front, serverCpu);
  await waitUntil(async () => {
    const s = await haproxyServers(statsSocket, 'echo_servers');
    return s.echo1?.status === 'UP' && s.echo2?.status === 'UP';
  }, 'both instances UP in haproxy');

  const load = ['--connections', String(connections), '--depth', String(depth), '--size', String(size), '--duration', String(durationS)];
  const sides = [
    { id: 'A', name: 'direct, one instance', target: `127.0.0.1:${directPort}`, runs: [] },
    { id: 'B', name: 'HAProxy v2, two instances', target: `127.0.0.1:${front}`, runs: [] },
  ];
  process.stderr.write(
    `haproxy-bench: ${reps} reps x ${durationS} s, ${connections} connections, depth ${depth}, size ${size} B, ` +
      `--workers ${workers} per instance, ${pinned ? 'servers+haproxy on CPU 0, load on CPU 1' : 'not pinned'}\n`,
  );
  for (let rep = 1; rep <= reps; rep++) {
    for (const side of sides) {
      const { code, summary } = await runStress(['--target', side.target, ...load, '--max-errors', '1000000'], (durationS + 60) * 1000, loadCpu);
      side.runs.push({
        code,
        msgPerSec: summary.messages.perSecond,
        p99Us: summary.latencyUs.p99,
        errors: summary.errors.total,
        mismatches: summary.mismatches.count,
      });
      process.stderr.write(`  rep ${rep} ${side.id}: ${summary.messages.perSecond} msg/s, p99 ${summary.latencyUs.p99} us, errors ${summary.errors.total}\n`);
    }
  }
  const fmt = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const rows = sides.map((side) => ({
    side,
    rate: summarize(side.runs.map((r) => r.msgPerSec)),
    p99: summarize(side.runs.map((r) => r.p99Us)),
    errors: side.runs.reduce((a, r) => a + r.errors + r.mismatches, 0),
  }));
  const lines = [
    '| side | msg/s median (min–max) | p99 µs median (min–max) | errors + mismatches |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.side.id}: ${r.side.name} | ${fmt(r.rate)} | ${fmt(r.p99)} | ${r.errors} |`),
    '',
    `B/A: msg/s ${(rows[1].rate.median / rows[0].rate.median).toFixed(2)}x, p99 ${(rows[1].p99.median / rows[0].p99.median).toFixed(2)}x ` +
      `(Node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (flags.json) {
    writeFileSync(flags.json, `${JSON.stringify({ reps, durationS, connections, depth, size, workers, pinned, sides }, null, 2)}\n`);
  }
  await cleanup();
} catch (error) {
  process.stderr.write(`haproxy-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  await cleanup();
  process.exit(1);
}
