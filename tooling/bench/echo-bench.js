#!/usr/bin/env node
/**
 * `pnpm bench:echo`: runs the issue-4 scenarios with apps/stress against a plain node:net echo
 * baseline (A) and our apps/echo-server (B), alternating A B A B, server pinned to CPU 0 and
 * the load to CPU 1 when taskset exists. Prints a markdown table and writes
 * bench/results/<date>.{json,md,svg} at the repository root.
 *
 *   node tooling/bench/echo-bench.js [--scenarios a,b,...] [--reps 3] [--duration 5] [--idle-conns 10000]
 *        [--b ours|baseline] [--ours-args="--log-level warn"] [--out DIR] [--no-pin] [--max-minutes 9] [--profile]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, type } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './lib/cli.js';
import { canPin, cpuSeconds, fdCount, hasProc, rssBytes, spawnNode, stop, waitExit, waitListening } from './lib/proc.js';
import { topSelfTime } from './lib/profile.js';
import { markdownTable, svgChart } from './lib/report.js';
import { IDLE_SETTLE_MS, SCENARIOS, scenarioSet } from './lib/scenarios.js';
import { summarize } from './lib/stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const STRESS = join(ROOT, 'apps/stress/bin/stress.js');
const OURS = join(ROOT, 'apps/echo-server/bin/echo-server.js');
const BASELINE = { framed: join(HERE, 'baselines/net-framed-echo.js'), raw: join(HERE, 'baselines/net-raw-echo.js') };

const USAGE = `usage: node tooling/bench/echo-bench.js [--scenarios a,b,c,d,d1,e,f0,f1,g,h] [--reps 3] [--duration 5]
       [--idle-conns 10000] [--b ours|baseline] [--ours-args="--log-level warn"] [--out DIR] [--no-pin] [--max-minutes 9] [--profile]`;

const { flags, fail } = parseFlags('echo-bench', USAGE, {
    scenarios: { type: 'string', default: SCENARIOS.map((s) => s.id).join(',') },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    'idle-conns': { type: 'string', default: '10000' },
    b: { type: 'string', default: 'ours' },
    'ours-args': { type: 'string', default: '--log-level warn' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
    'no-pin': { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '9' },
    profile: { type: 'boolean', default: false },
  });
const reps = Number(flags.reps);
const durationS = Number(flags.duration);
const maxMinutes = Number(flags['max-minutes']);
const idleConns = Number(flags['idle-conns']);
if (!Number.isInteger(reps) || reps < 1 || reps > 20) fail('--reps must be an integer 1..20');
if (!(durationS > 0 && durationS <= 120)) fail('--duration must be a number of seconds in (0, 120]');
if (!(maxMinutes > 0)) fail('--max-minutes must be positive');
if (!Number.isInteger(idleConns) || idleConns < 1 || idleConns > 1_000_000) fail('--idle-conns must be an integer 1..1000000');
if (flags.b !== 'ours' && flags.b !== 'baseline') fail('--b must be ours or baseline');
const wanted = flags.scenarios.split(',').map((s) => s.trim().toLowerCase());
for (const id of wanted) if (!SCENARIOS.some((s) => s.id === id)) fail(`unknown scenario "${id}"`);
const scenarios = scenarioSet({ idleConnections: idleConns }).filter((s) => wanted.includes(s.id));
const oursArgs = flags['ours-args'].split(/\s+/).filter(Boolean);
if (!existsSync(join(ROOT, 'apps/stress/dist/main.js'))) fail('apps/stress is not built: run `pnpm build` first');
if (!hasProc) process.stderr.write('echo-bench: /proc not readable: CPU and RSS figures will be missing\n');

const pinned = !flags['no-pin'] && canPin();
const started = Date.now();
const stamp = new Date(started).toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
const profileDir = join(flags.out, `${stamp}-profiles`);
const log = (line) => process.stderr.write(`${line}\n`);
const rel = (p) => relative(ROOT, p);

/** The server command for scenario `sc`, side A or B. */
function serverFor(sc, side) {
  const modeArgs = ['--listen', '127.0.0.1:0', '--mode', sc.mode];
  if (sc.id === 'h') {
    const jobs = side === 'A' ? ['--jobs', '0', '--job-cost-us', '100'] : ['--jobs', '2', '--job-cost-us', '100'];
    return { script: OURS, args: [...modeArgs, ...oursArgs, ...jobs] };
  }
  if (side === 'A' || flags.b === 'baseline') return { script: BASELINE[sc.mode], args: ['--listen', '127.0.0.1:0'] };
  return { script: OURS, args: [...modeArgs, ...oursArgs] };
}

function describe(side) {
  if (side === 'A') return 'plain node:net echo (tooling/bench/baselines)';
  return flags.b === 'baseline' ? 'plain node:net echo again (harness self-test)' : `apps/echo-server ${oursArgs.join(' ')}`.trim();
}

/** Markdown: the hottest functions (self time, % of busy time) of each server, first rep. */
function profileSection(res) {
  const lines = ['', '### Server profiles (first rep, self time as % of busy time)', ''];
  for (const sc of res.scenarios) {
    for (const side of ['A', 'B']) {
      const run = sc.runs.find((r) => r.side === side && r.profile);
      if (!run) continue;
      if (run.profile.error) {
        lines.push(`- ${sc.id} ${side}: ${run.profile.error}`);
        continue;
      }
      const top = run.profile.top.map((t) => `${t.percent}% ${t.name}${t.where ? ` (${t.where})` : ''}`).join('; ');
      lines.push(`- **${sc.id} ${side}** (busy ${run.profile.busyMs} ms): ${top}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Can this server start at all? (probe once, bounded) */
async function probe(script, args) {
  const proc = spawnNode(script, args, undefined);
  try {
    await waitListening(proc, 15_000);
    return undefined;
  } catch (error) {
    return error.message.split('\n')[0].slice(0, 300);
  } finally {
    await stop(proc);
  }
}

async function runOne(sc, side, rep) {
  const { script, args } = serverFor(sc, side);
  const pin = pinned && sc.id !== 'h';
  const profileFile = `${sc.id}-${side}-${rep}.cpuprofile`;
  const nodeFlags = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${profileFile}`] : [];
  const server = spawnNode(script, args, pin ? 0 : undefined, nodeFlags);
  let addr;
  try {
    addr = await waitListening(server, 20_000);
  } catch (error) {
    await stop(server);
    return { side, rep, ok: false, error: error.message.slice(0, 300) };
  }
  const pid = server.child.pid;
  const cpu0 = cpuSeconds(pid);
  const rss0 = rssBytes(pid);
  let peakRss = rss0;
  const runS = Math.min(durationS, sc.maxDurationS ?? durationS);
  const stressArgs = ['--target', addr.target, ...sc.stressArgs(runS), '--json', '--quiet'];
  // f1: once the server holds every connection (its descriptor count), wait idleSampleMs and
  // take the idle RSS sample, while the load still holds the connections open.
  const fd0 = sc.idleSampleMs ? fdCount(pid) : Number.NaN;
  let heldAt;
  let idleRss = Number.NaN;
  let idleTimer;
  const loadStart = performance.now();
  const load = spawnNode(STRESS, stressArgs, pin ? 1 : undefined);
  const sampler = setInterval(() => {
    const r = rssBytes(pid);
    if (r > peakRss) peakRss = r;
    if (sc.idleSampleMs && heldAt === undefined && fdCount(pid) - fd0 >= sc.connections) {
      heldAt = performance.now();
      idleTimer = setTimeout(() => {
        if (load.child.exitCode === null && load.child.signalCode === null) idleRss = rssBytes(pid);
        if (idleRss > peakRss) peakRss = idleRss;
      }, sc.idleSampleMs);
    }
  }, 100);
  const ex = await waitExit(load, (runS + 2) * 1000 + 60_000);
  clearInterval(sampler);
  clearTimeout(idleTimer);
  const cpu1 = cpuSeconds(pid);
  const loadWallSec = (performance.now() - loadStart) / 1000;
  const serverExit = await stop(server);
  let s;
  try {
    s = JSON.parse(load.state.out);
  } catch {
    return { side, rep, ok: false, error: `stress exit ${ex.code}${ex.killed ? ' (killed: timeout)' : ''}: ${load.state.err.trim().slice(0, 300)}` };
  }
  if (sc.kind === 'idle' && (s.connections.openMs === null || s.connections.opened < s.connections.requested)) {
    return { side, rep, ok: false, error: `only ${s.connections.opened} of ${s.connections.requested} connections opened (failed ${s.connections.failed})` };
  }
  if (sc.idleSampleMs) {
    if (!Number.isFinite(idleRss)) {
      return { side, rep, ok: false, error: `no idle RSS sample: the server never held all ${sc.connections} connections while the load ran` };
    }
    // The last echo came back (doneMs - openMs) after the last connect; the sample was taken
    // idleSampleMs after the server held them all, which is after the last connect.
    const lastEcho = s.connections.doneMs === null ? Number.POSITIVE_INFINITY : s.connections.doneMs - s.connections.openMs;
    if (!(lastEcho < sc.idleSampleMs)) {
      return { side, rep, ok: false, error: `the echoes were not all back before the idle sample (last ${Math.round(lastEcho)} ms after all opened, sample after ${sc.idleSampleMs} ms)` };
    }
  }
  const cpuSec = cpu1 - cpu0;
  let profile;
  if (flags.profile) {
    try {
      profile = topSelfTime(join(profileDir, profileFile), 8);
    } catch (error) {
      profile = { error: `no profile (${error.message.split('\n')[0]})` };
    }
  }
  const units = sc.kind === 'churn' ? s.connections.opened : s.messages.total;
  return {
    side,
    rep,
    ok: ex.code === 0,
    exitCode: ex.code,
    error: ex.code === 0 ? undefined : `stress exit ${ex.code}: errors ${JSON.stringify(s.errors.byCode)}, mismatches ${s.mismatches.count}`,
    msgsPerSec: s.messages.perSecond,
    mibPerSec: s.bytes.mibPerSecond,
    p50Us: s.latencyUs.p50,
    p99Us: s.latencyUs.p99,
    p999Us: s.latencyUs.p999,
    connsPerSec: s.connections.perSecond ?? Number.NaN,
    openMs: s.connections.openMs ?? Number.NaN,
    rssPerConn: sc.kind === 'idle' ? (peakRss - rss0) / s.connections.opened : Number.NaN,
    idleRssPerConn: sc.idleSampleMs ? (idleRss - rss0) / s.connections.opened : Number.NaN,
    rssBefore: rss0,
    rssPeak: peakRss,
    rssIdle: idleRss,
    idleSampleAfterMs: heldAt === undefined ? undefined : Math.round(heldAt - loadStart + sc.idleSampleMs),
    cpuSec,
    cpuUsPerUnit: units > 0 && sc.kind !== 'idle' ? (cpuSec * 1e6) / units : Number.NaN,
    serverBusy: cpuSec / loadWallSec,
    loadBusy: s.process ? (s.process.cpuUserSec + s.process.cpuSystemSec) / s.process.wallSec : Number.NaN,
    errors: s.errors.total,
    mismatches: s.mismatches.count,
    serverExit: serverExit.code,
    profile,
  };
}

const notes = [];
if (scenarios.some((s) => s.kind === 'idle')) {
  let limit = Number.NaN;
  try {
    limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    // unknown: let the run show it
  }
  if (limit < idleConns + 100) {
    const msg = `ulimit -n is ${limit}: scenarios f0/f1 need ${idleConns.toLocaleString('en-US')} connections per process (raise it: ulimit -n ${idleConns + 10_000}, or lower --idle-conns)`;
    log(`echo-bench: warning: ${msg}`);
    notes.push(msg);
  }
}
if (!pinned) notes.push('Server and load were not pinned (taskset missing, fewer than 2 CPUs, or --no-pin).');
else notes.push('Scenario h runs unpinned: its worker threads need more than one CPU.');
notes.push(
  `Each load run: ${durationS} s measured after a 1 s warmup (d1: at most 2 s, to keep the suite short); f0/f1: all ${idleConns.toLocaleString('en-US')} open, then held 2 s / 3 s — f1's idle RSS is sampled ${IDLE_SETTLE_MS} ms after the server holds them all; CPU is server user+system time over the whole run.`,
);

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', os: `${type()} ${release()}`, node: process.version },
  pinned,
  options: { scenarios: wanted, reps, durationS, idleConns, b: flags.b, oursArgs },
  servers: { A: describe('A'), B: describe('B') },
  scenarios: [],
  checks: [],
  notes,
};

if (flags.b === 'ours' && scenarios.some((s) => s.id !== 'h')) {
  const why = await probe(OURS, ['--listen', '127.0.0.1:0', ...oursArgs]);
  if (why) fail(`our echo server does not start (${why}); build it, or use --b baseline to self-test the harness`);
}

let outOfTime = false;
for (const sc of scenarios) {
  const entry = { id: sc.id, name: sc.name, mode: sc.mode, kind: sc.kind, runs: [], rows: [], skipped: undefined };
  result.scenarios.push(entry);
  if (sc.id === 'h') {
    let help = '';
    try {
      help = execFileSync(process.execPath, [OURS, '--help'], { encoding: 'utf8', timeout: 15_000 });
    } catch {
      help = '';
    }
    const line = help.split('\n').find((l) => l.includes('--jobs')) ?? '';
    if (!line) entry.skipped = 'apps/echo-server has no --jobs';
    else if (/reserved/i.test(help.slice(help.indexOf('--jobs'), help.indexOf('--jobs') + 200))) {
      entry.skipped = 'apps/echo-server --jobs is still "reserved" (jobpool not wired)';
    } else {
      const why = await probe(OURS, ['--listen', '127.0.0.1:0', ...oursArgs, '--jobs', '2', '--job-cost-us', '100']);
      if (why) entry.skipped = `echo-server --jobs 2 does not start: ${why}`;
    }
    if (entry.skipped) {
      log(`[h] skipped: ${entry.skipped}`);
      continue;
    }
  }
  for (let rep = 1; rep <= reps; rep++) {
    for (const side of ['A', 'B']) {
      if (!outOfTime && (Date.now() - started) / 60_000 > maxMinutes) {
        outOfTime = true;
        notes.push(`Stopped early at scenario ${sc.id} rep ${rep}: --max-minutes ${maxMinutes} reached; later runs skipped.`);
      }
      if (outOfTime) break;
      const r = await runOne(sc, side, rep);
      entry.runs.push(r);
      const fig =
        sc.kind === 'idle'
          ? `${Math.round(r.rssPerConn)} B/conn${sc.idleSampleMs ? ` (idle ${Math.round(r.idleRssPerConn)})` : ''}, open ${Math.round(r.openMs)} ms`
          : sc.kind === 'churn'
            ? `${Math.round(r.connsPerSec)} conn/s`
            : `${Math.round(r.msgsPerSec)} msg/s, p99 ${r.p99Us} µs, ${r.cpuUsPerUnit?.toFixed?.(2)} CPU µs/msg`;
      log(`[${sc.id}] rep ${rep} ${side}: ${r.error ? `FAILED ${r.error}` : fig}`);
    }
  }
  const good = (side) => entry.runs.filter((r) => r.side === side && r.ok);
  for (const m of sc.metrics) {
    const A = summarize(good('A').map((r) => r[m.key]));
    const B = summarize(good('B').map((r) => r[m.key]));
    entry.rows.push({ key: m.key, label: m.label, higherIsBetter: m.higherIsBetter, target: m.target, A, B, ratio: B.median / A.median, delta: B.median - A.median });
  }
  entry.busy = {
    serverA: summarize(good('A').map((r) => r.serverBusy)).median,
    serverB: summarize(good('B').map((r) => r.serverBusy)).median,
    loadA: summarize(good('A').map((r) => r.loadBusy)).median,
    loadB: summarize(good('B').map((r) => r.loadBusy)).median,
  };
  if (sc.kind !== 'idle') entry.cpu = { A: summarize(good('A').map((r) => r.cpuUsPerUnit)), B: summarize(good('B').map((r) => r.cpuUsPerUnit)) };
  entry.failuresBy = { A: entry.runs.filter((r) => r.side === 'A' && !r.ok).length, B: entry.runs.filter((r) => r.side === 'B' && !r.ok).length };
  entry.failures = entry.failuresBy.A + entry.failuresBy.B;
  if (entry.failures > 0) {
    notes.push(`Scenario ${sc.id}: ${entry.failures} run(s) failed and are excluded from the medians: ${entry.runs.filter((r) => !r.ok).map((r) => `${r.side}${r.rep} ${r.error}`).join('; ')}`);
  }
}

// d keeps 4 frames of 1 MiB in flight, d1 one: the deeper pipeline must not be slower (B, same run).
const dRun = result.scenarios.find((s) => s.id === 'd');
const d1Run = result.scenarios.find((s) => s.id === 'd1');
if (dRun && d1Run) {
  const msgs = (sc) => sc.rows.find((r) => r.key === 'msgsPerSec')?.B.median ?? Number.NaN;
  const left = msgs(dRun);
  const right = msgs(d1Run);
  result.checks.push({
    id: 'd-vs-d1',
    label: `d vs d1 (${flags.b === 'ours' ? 'ours' : 'baseline as B'})`,
    left,
    right,
    unit: 'msg/s',
    claim: 'd ≥ d1',
    ok: Number.isFinite(left) && Number.isFinite(right) ? left >= right : undefined,
  });
}

// Say plainly when the figures cannot be trusted, or when the client, not the server, set the pace.
for (const sc of result.scenarios) {
  const b = sc.busy;
  if (!b || sc.kind === 'idle') continue;
  const server = Math.max(b.serverA, b.serverB);
  const load = Math.max(b.loadA, b.loadB);
  if (sc.kind === 'load' && sc.id !== 'a' && server < 0.5 && load < 0.5) {
    notes.push(
      `Scenario ${sc.id}: neither server (${Math.round(server * 100)}%) nor stress (${Math.round(load * 100)}%) kept a CPU busy — the machine was contended (other processes on CPUs 0/1); its throughput ratio reflects scheduling, not the servers.`,
    );
  }
  if (load > 0.9) notes.push(`Scenario ${sc.id}: the stress tool was ${Math.round(load * 100)}% busy — client-bound; the ratio understates the faster server.`);
}

if (flags.profile) {
  notes.push(`--profile: servers ran under node --cpu-prof (profiles in ${rel(profileDir)}); throughput is lower than without it, compare ratios only within this run.`);
}
result.elapsedSec = Math.round((Date.now() - started) / 1000);
let table = markdownTable(result);
if (flags.profile) table += profileSection(result);
mkdirSync(flags.out, { recursive: true });
const base = join(flags.out, stamp);
writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(`${base}.md`, table);
writeFileSync(`${base}.svg`, svgChart(result));
process.stdout.write(`\n${table}\n`);
log(`wrote ${rel(base)}.json, .md, .svg in ${result.elapsedSec} s`);
process.exitCode = result.scenarios.some((s) => s.failures > 0) ? 1 : 0;
