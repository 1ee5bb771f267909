#!/usr/bin/env node
/**
 * `pnpm bench:idle100k`: N (default 100,000) idle connections against one server process —
 * first the plain node:net framed baseline (A), then apps/echo-server (B), in the same run.
 * For each: RSS per connection, time to open them all, and the server's CPU while they sit
 * idle (for ours, the watchdog's sweep over every connection).
 *
 *   taskset -c 0  node <server> --listen 127.0.0.1:0                       ─► "listening HOST:PORT"
 *   VmRSS, utime+stime, open descriptors (before)
 *   taskset -c 1  node apps/stress/bin/stress.js --connections N --depth 0
 *                 --source 127.S.T.1-127.S.T.K (K = N / --per-source)     ─► N connects, then idle
 *   wait until the server holds N connections (its descriptor count), or the count stalls
 *   settle, then a quiet window: VmRSS, utime+stime → RSS/conn, idle CPU %
 *   SIGTERM stress (its JSON summary: opened, failed, errors by code), SIGTERM the server
 *
 * One client address has only the ephemeral port range for connections to one server address
 * (~28k), so the load comes from K loopback addresses; A and B use different ones (closed
 * ports stay in TIME_WAIT for 60 s). Every child is killed by PID; every wait is bounded and
 * the whole run stops after --max-minutes.
 *
 *   node tooling/bench/idle-100k.js [--connections 100000] [--per-source 2000] [--settle 2]
 *        [--quiet 20] [--open-timeout 120] [--max-minutes 4] [--sides A,B] [--no-pin] [--out DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, type } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/cli.js';
import { canPin, cpuSeconds, fdCount, kill, rssBytes, spawnNode, stop, waitExit, waitListening } from './lib/proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const STRESS = join(ROOT, 'apps/stress/bin/stress.js');
const SERVERS = {
  A: { name: 'plain node:net framed echo (baselines/net-framed-echo.js)', script: join(HERE, 'baselines/net-framed-echo.js'), args: [] },
  B: {
    name: 'apps/echo-server --log-level warn --idle-timeout 600000 --heartbeat 120000',
    script: join(ROOT, 'apps/echo-server/bin/echo-server.js'),
    // Both watchdog duties on: the idle deadline and the heartbeat check run for every
    // connection on every sweep (no keepalive is due within the quiet window: stress does not
    // answer keepalives, it would count them as mismatched bytes).
    args: ['--log-level', 'warn', '--idle-timeout', '600000', '--heartbeat', '120000'],
  },
};
const USAGE = `usage: node tooling/bench/idle-100k.js [--connections 100000] [--per-source 2000] [--settle 2] [--quiet 20]
       [--open-timeout 120] [--max-minutes 4] [--sides A,B] [--no-pin] [--out DIR]`;

const { flags, fail } = parseFlags('idle-100k', USAGE, {
    connections: { type: 'string', default: '100000' },
    'per-source': { type: 'string', default: '2000' },
    settle: { type: 'string', default: '2' },
    quiet: { type: 'string', default: '20' },
    'open-timeout': { type: 'string', default: '120' },
    'max-minutes': { type: 'string', default: '4' },
    sides: { type: 'string', default: 'A,B' },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
  });
const N = Number(flags.connections);
const perSource = Number(flags['per-source']);
const settleS = Number(flags.settle);
const quietS = Number(flags.quiet);
const openTimeoutS = Number(flags['open-timeout']);
const maxMinutes = Number(flags['max-minutes']);
const sides = flags.sides.split(',').map((s) => s.trim().toUpperCase());
if (!Number.isInteger(N) || N < 1 || N > 1_000_000) fail('--connections must be an integer 1..1000000');
if (!Number.isInteger(perSource) || perSource < 1 || perSource > 28_000) fail('--per-source must be an integer 1..28000');
if (!(settleS >= 0 && settleS <= 60)) fail('--settle must be 0..60 seconds');
if (!(quietS > 0 && quietS <= 300)) fail('--quiet must be in (0, 300] seconds');
if (!(openTimeoutS > 0 && openTimeoutS <= 600)) fail('--open-timeout must be in (0, 600] seconds');
if (!(maxMinutes > 0 && maxMinutes <= 60)) fail('--max-minutes must be in (0, 60]');
if (sides.length === 0 || !sides.every((s) => s === 'A' || s === 'B')) fail('--sides must list A and/or B');
if (!existsSync(join(ROOT, 'apps/stress/dist/main.js'))) fail('apps/stress is not built: run `pnpm build` first');

const started = Date.now();
const deadline = started + maxMinutes * 60_000;
const left = () => deadline - Date.now();
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, left()))));
const pinned = !flags['no-pin'] && canPin();

function sh(cmd) {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}
const read = (file) => {
  try {
    return readFileSync(file, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return '?';
  }
};
const limits = {
  ulimitSoft: sh('ulimit -n'),
  ulimitHard: sh('ulimit -Hn'),
  nrOpen: read('/proc/sys/fs/nr_open'),
  fileMax: read('/proc/sys/fs/file-max'),
  portRange: read('/proc/sys/net/ipv4/ip_local_port_range'),
};
const sourcesPerSide = Math.ceil(N / perSource);
log(
  `idle-100k: ${N.toLocaleString('en-US')} connections from ${sourcesPerSide} source address(es) per side; ulimit -n ${limits.ulimitSoft} ` +
    `(hard ${limits.ulimitHard}), fs.nr_open ${limits.nrOpen}, fs.file-max ${limits.fileMax}, ports ${limits.portRange}`,
);
if (Number(limits.ulimitSoft) < N + 100) {
  log(`idle-100k: warning: ulimit -n ${limits.ulimitSoft} is below ${N} + ~100: the server and the load tool will run out of descriptors (EMFILE)`);
}

/** K consecutive loopback addresses, a block per side that changes from run to run (TIME_WAIT). */
function sourceRange(sideIndex) {
  const salt = Math.floor(started / 1000) % 200;
  const first = (127 << 24) + ((20 + sideIndex * 10) << 16) + (salt << 8) + 1;
  const v4 = (n) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
  return `${v4(first)}-${v4(first + sourcesPerSide - 1)}`;
}

async function runSide(side, sideIndex) {
  const srv = SERVERS[side];
  const r = { side, server: srv.name, requested: N, sources: sourceRange(sideIndex) };
  const server = spawnNode(srv.script, ['--listen', '127.0.0.1:0', ...srv.args], pinned ? 0 : undefined);
  let load;
  try {
    const addr = await waitListening(server, Math.min(20_000, left()));
    const pid = server.child.pid;
    await sleep(500);
    const fd0 = fdCount(pid);
    r.fdBefore = fd0;
    r.rssBefore = rssBytes(pid);
    let peakRss = r.rssBefore;
    const stressArgs = ['--target', addr.target, '--connections', String(N), '--depth', '0', '--duration', '3600'];
    stressArgs.push('--connect-timeout', '30000', '--source', r.sources, '--json', '--quiet');
    const loadStart = performance.now();
    load = spawnNode(STRESS, stressArgs, pinned ? 1 : undefined);

    // Open: until the server holds N connections, the count stalls for 5 s, the load exits, or time runs out.
    let held = 0;
    let grewAt = performance.now();
    const openLimit = Math.min(openTimeoutS * 1000, left() - (settleS + quietS) * 1000 - 20_000);
    while (performance.now() - loadStart < openLimit && load.child.exitCode === null) {
      await sleep(250);
      const now = fdCount(pid) - fd0;
      peakRss = Math.max(peakRss, rssBytes(pid));
      if (now > held) {
        held = now;
        grewAt = performance.now();
      }
      if (held >= N) break;
      if (held > 0 && performance.now() - grewAt > 5000) break;
    }
    r.held = held;
    r.serverOpenMs = Math.round(grewAt - loadStart);
    r.openEnded = held >= N ? 'all held' : load.child.exitCode !== null ? 'load tool exited' : held > 0 ? 'count stalled for 5 s' : 'timeout';
    log(`[${side}] server holds ${held.toLocaleString('en-US')} of ${N.toLocaleString('en-US')} (${r.openEnded}) after ${r.serverOpenMs} ms`);

    // Quiet window: nothing is sent; what the server costs is its own bookkeeping.
    if (load.child.exitCode === null && left() > (settleS + quietS) * 1000 + 15_000) {
      await sleep(settleS * 1000);
      const cpu1 = cpuSeconds(pid);
      const t1 = performance.now();
      r.rssIdleStart = rssBytes(pid);
      let maxRss = r.rssIdleStart;
      while (performance.now() - t1 < quietS * 1000) {
        await sleep(Math.min(1000, quietS * 1000 - (performance.now() - t1)));
        maxRss = Math.max(maxRss, rssBytes(pid));
      }
      const cpu2 = cpuSeconds(pid);
      const wall = (performance.now() - t1) / 1000;
      r.rssIdleEnd = rssBytes(pid);
      r.rssIdleMax = maxRss;
      r.heldAfterQuiet = fdCount(pid) - fd0;
      r.quietSec = Math.round(wall * 10) / 10;
      r.idleCpuPercent = Math.round(((cpu2 - cpu1) / wall) * 10000) / 100;
      r.rssPerConn = r.heldAfterQuiet > 0 ? Math.round((r.rssIdleEnd - r.rssBefore) / r.heldAfterQuiet) : Number.NaN;
      peakRss = Math.max(peakRss, maxRss);
    } else {
      r.note = 'no quiet window (the load tool exited, or out of time)';
    }
    r.rssPeak = peakRss;
    r.rssPeakPerConn = r.held > 0 ? Math.round((peakRss - r.rssBefore) / r.held) : Number.NaN;

    kill(load, 'SIGTERM');
    const ex = await waitExit(load, Math.max(5000, Math.min(90_000, left())));
    try {
      const s = JSON.parse(load.state.out);
      r.opened = s.connections.opened;
      r.failed = s.connections.failed;
      r.closedEarly = s.connections.closedEarly;
      r.openMs = s.connections.openMs;
      r.connectP99Us = s.connectLatencyUs.p99;
      r.errors = s.errors.byCode;
      r.loadCpuSec = Math.round((s.process.cpuUserSec + s.process.cpuSystemSec) * 10) / 10;
    } catch {
      r.loadError = `stress exit ${ex.code}${ex.killed ? ' (killed)' : ''}: ${load.state.err.trim().slice(-300)}`;
    }
  } catch (error) {
    r.error = error.message.split('\n')[0].slice(0, 300);
  } finally {
    if (load) await stop(load, 5000);
    const ex = await stop(server, 15_000);
    r.serverExit = ex.killed ? 'SIGKILL after 15 s' : ex.code;
    const warn = server.state.err.trim().split('\n').filter(Boolean);
    if (warn.length > 0) r.serverStderr = warn.slice(-3).join(' | ').slice(0, 400);
  }
  r.ok = r.held >= N && r.opened === N && r.failed === 0 && r.closedEarly === 0 && r.heldAfterQuiet >= N && r.error === undefined;
  return r;
}

/** What each error code means here: which limit stopped the run. */
const MEANING = {
  EMFILE: 'the load tool ran out of file descriptors (ulimit -n)',
  ENFILE: 'the system ran out of file descriptors (fs.file-max)',
  IOCP_ERR_PEER_CLOSED: 'the server closed connections right after accepting them (a server out of descriptors does that: libuv accepts and closes)',
  ECONNRESET: 'connections reset by the server',
  EADDRINUSE: 'a source address ran out of local ports (--per-source too high, or TIME_WAIT from an earlier run)',
  EADDRNOTAVAIL: 'a source address ran out of local ports, or is not local',
  ECONNREFUSED: 'the server refused (listen backlog full, or it was gone)',
  IOCP_ERR_CONNECT_TIMEOUT: 'connects timed out (SYN backlog full?)',
};

const results = [];
for (const [i, side] of sides.entries()) {
  if (left() < 30_000) {
    results.push({ side, server: SERVERS[side].name, skipped: `out of time (--max-minutes ${maxMinutes})` });
    continue;
  }
  log(`[${side}] ${SERVERS[side].name}`);
  const r = await runSide(side, i);
  results.push(r);
  log(`[${side}] ${r.ok ? 'ok' : 'NOT ALL CONNECTIONS HELD'}: ${JSON.stringify({ held: r.held, rssPerConn: r.rssPerConn, idleCpuPercent: r.idleCpuPercent, errors: r.errors })}`);
}

const fmt = (x, digits = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–');
const mib = (b) => (Number.isFinite(b) ? `${fmt(b / 1048576, 1)} MiB` : '–');
const row = (label, f) => `| ${label} | ${results.map((r) => (r.skipped ? r.skipped : f(r))).join(' | ')} |`;
const lines = [
  `Machine: ${cpus().length}× ${cpus()[0]?.model ?? 'unknown'}, ${type()} ${release()}; Node ${process.version}; ${new Date(started).toISOString()}; ` +
    `pinned: ${pinned ? 'server CPU 0, stress CPU 1 (taskset)' : 'no'}.`,
  `Limits: ulimit -n ${limits.ulimitSoft} (hard ${limits.ulimitHard}), fs.nr_open ${limits.nrOpen}, fs.file-max ${limits.fileMax}, ip_local_port_range ${limits.portRange}.`,
  '',
  `| ${N.toLocaleString('en-US')} idle connections | ${results.map((r) => `${r.side}: ${r.server}`).join(' | ')} |`,
  `|---|${results.map(() => '---:').join('|')}|`,
  row('source addresses', (r) => `${r.sources ?? '–'}`),
  row('connections held by the server', (r) => `${fmt(r.held)}${r.heldAfterQuiet !== undefined && r.heldAfterQuiet !== r.held ? ` (${fmt(r.heldAfterQuiet)} after the quiet window)` : ''}`),
  row('time to open (stress: every connect settled)', (r) => (r.openMs == null ? '–' : `${fmt(r.openMs)} ms`)),
  row('RSS before → after (end of quiet window)', (r) => `${mib(r.rssBefore)} → ${mib(r.rssIdleEnd)}`),
  row('**RSS per connection** (end of quiet window − before) / held', (r) => `**${fmt(r.rssPerConn)} B**`),
  row('RSS per connection at the peak', (r) => `${fmt(r.rssPeakPerConn)} B`),
  row(`**idle CPU** (server, % of one core, ${quietS} s quiet)`, (r) => `**${fmt(r.idleCpuPercent, 2)} %**`),
  row('failed connects / closed early', (r) => `${fmt(r.failed)} / ${fmt(r.closedEarly)}`),
  row('errors by code', (r) => (r.errors && Object.keys(r.errors).length > 0 ? Object.entries(r.errors).map(([c, k]) => `${c} ${fmt(k)}`).join(', ') : r.loadError ?? r.error ?? 'none')),
];
const hit = new Set(results.flatMap((r) => Object.keys(r.errors ?? {})));
if (hit.size > 0) {
  lines.push('', 'What stopped the connections:');
  for (const code of hit) lines.push(`- ${code}: ${MEANING[code] ?? 'see apps/stress README, error codes'}`);
}
for (const r of results) {
  if (r.note) lines.push(`- ${r.side}: ${r.note}`);
  if (r.serverStderr) lines.push(`- ${r.side} server stderr (last lines): ${r.serverStderr}`);
}
const table = `${lines.join('\n')}\n`;
process.stdout.write(`\n${table}`);

const stamp = new Date(started).toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
mkdirSync(flags.out, { recursive: true });
const base = join(flags.out, `${stamp}-idle-${N}`);
const json = { date: new Date(started).toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, os: `${type()} ${release()}`, node: process.version }, pinned, limits, options: { N, perSource, settleS, quietS, sides }, results };
writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(`${base}.md`, table);
log(`wrote ${relative(ROOT, base)}.json, .md in ${Math.round((Date.now() - started) / 1000)} s`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
