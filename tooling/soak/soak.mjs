#!/usr/bin/env node
/**
 * Soak + chaos: the servers under everything at once, for minutes or hours.
 *
 *   npx -y pnpm@9.15.9 soak -- --minutes 30        (builds first; .ci/run runs --minutes 1)
 *   node tooling/soak/soak.mjs --minutes N [--json FILE]   (after a build)
 *
 * Servers (each its own process tree, killed by PID at the end):
 *   echo-server plain  --workers 2 --jobs 2 --metrics   ┐ --first-data-timeout 5000
 *   echo-server TLS    --workers 2 --jobs 2 --metrics   ┘ --write-timeout 10000 --max-buffered 256m
 *   file-server        --metrics --write-timeout 10000
 * Load, all the time:
 *   apps/stress rounds on the plain echo (long connections, sizes 1 B–4 MiB; and short ones),
 *   verified TLS echo connections (sizes 1 B–1 MiB), a slow reader (4 MiB frames, read at
 *   256 KiB/s), garbage and oversized headers, slowloris connections (a byte every 3 s),
 *   uploads and downloads (1 B–8 MiB, every byte checked by SHA-256) and interrupted uploads
 *   resumed on a new connection.
 * Chaos: kill -9 of a cluster worker every minute (alternating plain/TLS), SIGSTOP of the
 *   file-server for 3 s every minute (half a period later); both periods shrink to a quarter of
 *   the run for short runs.
 * Samples every 5 s: RSS of every server process (/proc), and from each /metrics: heap, active
 *   handles, event-loop delay p99 (perf_hooks.monitorEventLoopDelay via prom-client) and the
 *   memory budget.
 * Fails on: an echo mismatch (stress, TLS or slow reader), a corrupted or lost file (every
 *   published upload is downloaded and checked again at the end), a primary process that exits,
 *   RSS or handles of a server growing from the first third of the run to the last beyond
 *   ×1.5 + 48 MiB (RSS) / ×1.5 + 50 (handles). Prints one line per sample and a summary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileClient } from '@iocp/file-transfer';
import { HANDLES_TOLERANCE, RSS_TOLERANCE, chaosPlan, failures, growth } from './lib/verdict.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ECHO = path.join(ROOT, 'apps/echo-server/bin/echo-server.js');
const FILES = path.join(ROOT, 'apps/file-server/bin/file-server.js');
const STRESS = path.join(ROOT, 'apps/stress/bin/stress.js');
const MIB = 1024 * 1024;

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: { minutes: { type: 'string', default: '1' }, json: { type: 'string' } },
});
const minutes = Number(values.minutes);
if (!(minutes > 0) || !Number.isFinite(minutes)) {
  console.error(`soak: --minutes must be a positive number, got ${values.minutes}`);
  process.exit(2);
}
const plan = chaosPlan(minutes);
const deadline = Date.now() + plan.runMs;
const running = () => Date.now() < deadline;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const result = {
  minutes,
  node: process.version,
  okEchoes: 0,
  echoMismatches: 0,
  echoErrors: 0,
  stressRounds: 0,
  stressMessages: 0,
  stressErrors: 0,
  tlsEchoes: 0,
  slowReaderBytes: 0,
  garbageClosed: 0,
  slowlorisOpened: 0,
  filesVerified: 0,
  filesCorrupted: 0,
  filesLost: 0,
  uploads: 0,
  resumes: 0,
  fileRetries: 0,
  fileHangs: 0,
  unservedConnects: 0,
  stuckLoops: [],
  workerKills: 0,
  fileServerStops: 0,
  primaryCrashes: [],
  growth: {},
  samples: [],
};
const note = (what) => console.log(`[${((plan.runMs - (deadline - Date.now())) / 1000).toFixed(0).padStart(5)} s] ${what}`);

// ------------------------------------------------------------------ servers

const dir = await fsp.mkdtemp(path.join(tmpdir(), 'iocp-soak-'));
const root = path.join(dir, 'root');
await fsp.mkdir(root);
let tls;
try {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  tls = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: readFileSync(path.join(dir, 'cert.pem')) };
} catch {
  console.log('soak: openssl is missing: the TLS echo server is left out');
}

/** Start a server; resolves with its process, listening addresses and metrics address. */
function startServer(name, file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const s = { name, child, listening: [], metrics: undefined, exited: false, expectedExit: false };
    child.stdout.on('data', (c) => {
      out += c;
      s.listening = [...out.matchAll(/^listening (\S+)$/gm)].map((m) => m[1]);
      const m = /^metrics (\S+)$/m.exec(out);
      if (m && s.metrics === undefined) {
        s.metrics = m[1];
        resolve(s);
      }
    });
    child.stderr.on('data', (c) => {
      err = (err + c).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      s.exited = true;
      if (!s.expectedExit) {
        result.primaryCrashes.push(`${name} exited (code ${code}, signal ${signal}): ${err.split('\n').slice(-3).join(' | ')}`);
        note(`${name} EXITED (code ${code}, signal ${signal})`);
      }
      reject(new Error(`${name} exited before it was ready: ${err}`));
    });
  });
}

const common = ['--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--log-level', 'error'];
const echoArgs = [...common, '--workers', '2', '--jobs', '2', '--first-data-timeout', '5000', '--write-timeout', '10000', '--max-buffered', '256m'];
const servers = [];
servers.push(await startServer('echo-plain', ECHO, echoArgs));
if (tls) servers.push(await startServer('echo-tls', ECHO, [...echoArgs, '--tls-cert', tls.cert, '--tls-key', tls.key]));
servers.push(await startServer('file-server', FILES, [...common, '--root', root, '--write-timeout', '10000']));
const byName = Object.fromEntries(servers.map((s) => [s.name, s]));
const echoPlain = byName['echo-plain'].listening[0];
const echoTls = tls ? byName['echo-tls'].listening[0] : undefined;
const fileAt = byName['file-server'].listening[0];
note(`servers up: echo ${echoPlain}${echoTls ? `, echo TLS ${echoTls}` : ''}, files ${fileAt}; run ${minutes} min, worker kill every ${plan.killEveryMs / 1000} s, file-server SIGSTOP every ${plan.stopEveryMs / 1000} s for ${plan.stopForMs / 1000} s`);

function hostPort(at) {
  const i = at.lastIndexOf(':');
  return { host: at.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(at.slice(i + 1)) };
}

/** Child PIDs of `pid` (Linux). */
function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ load: framed echo helpers

function frameOf(payload) {
  const f = Buffer.allocUnsafe(4 + payload.length);
  f.writeUInt32BE(payload.length, 0);
  payload.copy(f, 4);
  return f;
}

/** Random payload size, log-uniform over 1 B..max. */
function size(max) {
  return Math.max(1, Math.floor(Math.exp(Math.random() * Math.log(max))));
}

/** A verified framed echo session over `socket`: `rounds` request/response pairs; counts into `tally.ok`. */
async function echoSession(socket, rounds, max, tally) {
  let pending = Buffer.alloc(0);
  let wake;
  socket.on('data', (c) => {
    pending = pending.length === 0 ? c : Buffer.concat([pending, c]);
    wake?.();
  });
  const closed = new Promise((r) => socket.once('close', r));
  for (let i = 0; i < rounds && running(); i++) {
    const f = frameOf(randomBytes(size(max)));
    socket.write(f);
    const start = Date.now();
    while (pending.length < f.length) {
      const r = await Promise.race([new Promise((res) => (wake = res)), closed.then(() => 'closed'), sleep(15_000).then(() => 'timeout')]);
      if (r === 'closed' || (r === 'timeout' && Date.now() - start >= 15_000)) throw new Error(`echo ${r}`);
    }
    if (!pending.subarray(0, f.length).equals(f)) {
      result.echoMismatches++;
      note(`ECHO MISMATCH on ${socket.remoteAddress}:${socket.remotePort} (${f.length} bytes)`);
    } else {
      result.okEchoes++;
      tally.ok++;
    }
    pending = pending.subarray(f.length);
  }
}

async function tlsEchoLoop() {
  while (running()) {
    const { host, port } = hostPort(echoTls);
    const s = tlsConnect({ host, port, ca: tls.ca, servername: 'localhost' });
    s.on('error', () => {});
    try {
      let timer;
      await new Promise((res, rej) => {
        s.once('secureConnect', res);
        s.once('error', rej);
        s.once('close', () => rej(new Error('closed')));
        // A connection the cluster accepted while a worker was dying may never be served:
        // a client gives up on a handshake after 10 s (counted), as real clients must.
        timer = setTimeout(() => {
          result.unservedConnects++;
          rej(new Error('handshake timeout'));
        }, 10_000);
      }).finally(() => clearTimeout(timer));
      const tally = { ok: 0 };
      try {
        await echoSession(s, 20 + Math.floor(Math.random() * 200), MIB, tally);
      } finally {
        result.tlsEchoes += tally.ok;
      }
    } catch {
      result.echoErrors++; // a killed worker resets its connections: reconnect
      await sleep(200);
    } finally {
      s.destroy();
    }
  }
}

/** apps/stress against the plain echo: long connections 1 B–4 MiB, then short ones, round after round. */
async function stressLoop() {
  const roundSec = Math.max(5, Math.min(30, Math.floor(plan.runMs / 1000 / 4)));
  let short = false;
  while (running()) {
    const secs = Math.max(2, Math.min(roundSec, Math.floor((deadline - Date.now()) / 1000) - 2));
    if (secs < 2) break;
    const args = short
      ? ['--target', echoPlain, '--short', '--per-conn', '3', '--connections', '4', '--size', '1-64k', '--duration', String(secs)]
      : ['--target', echoPlain, '--connections', '8', '--depth', '2', '--size', '1-4m', '--duration', String(secs)];
    short = !short;
    const out = await new Promise((resolve) => {
      const c = spawn(process.execPath, [STRESS, ...args, '--json', '--quiet', '--max-errors', '100000', '--drain-timeout', '3000'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      c.once('exit', () => resolve(text));
    });
    try {
      const j = JSON.parse(out);
      result.stressRounds++;
      result.stressMessages += j.messages.received;
      result.okEchoes += j.messages.received;
      result.stressErrors += j.errors.total;
      if (j.mismatches.count > 0) {
        result.echoMismatches += j.mismatches.count;
        note(`STRESS MISMATCH: ${JSON.stringify(j.mismatches.first)}`);
      }
    } catch {
      note(`stress printed no summary: ${out.slice(0, 200)}`);
    }
  }
}

/** A peer that reads slowly: 4 MiB frames, read at about 256 KiB/s; the bytes it gets must be the echo. */
async function slowReaderLoop() {
  while (running()) {
    const { host, port } = hostPort(echoPlain);
    const s = connect({ host, port });
    s.on('error', () => {});
    const f = frameOf(randomBytes(4 * MIB));
    let got = 0;
    let ok = true;
    s.on('data', (c) => {
      const n = Math.min(c.length, f.length - got);
      if (!c.subarray(0, n).equals(f.subarray(got, got + n))) ok = false;
      got += c.length;
      result.slowReaderBytes += c.length;
      s.pause();
      setTimeout(() => s.resume(), Math.ceil((c.length / (256 * 1024)) * 1000));
    });
    let closed = false;
    s.once('close', () => {
      closed = true;
    });
    await new Promise((r) => s.once('connect', r).once('close', r));
    if (!closed) s.write(f);
    // Polled, not awaited on 'close': the connection may have closed already (a killed worker).
    while (!closed) {
      if (got >= f.length || !running()) s.destroy();
      await sleep(200);
    }
    if (!ok) {
      result.echoMismatches++;
      note('SLOW READER MISMATCH');
    } else if (got >= f.length) result.okEchoes++;
    await sleep(500);
  }
}

/** Garbage and oversized headers: the server must close these (and only these). */
async function garbageLoop() {
  let i = 0;
  while (running()) {
    const { host, port } = hostPort(echoPlain);
    const s = connect({ host, port });
    s.on('error', () => {});
    const bytes = i++ % 2 === 0 ? Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]) : randomBytes(1 + Math.floor(Math.random() * 512));
    s.once('connect', () => s.write(bytes));
    s.resume();
    const closed = await Promise.race([new Promise((r) => s.once('close', () => r(true))), sleep(12_000).then(() => false)]);
    if (closed) result.garbageClosed++;
    s.destroy();
    await sleep(1000);
  }
}

/** Slowloris: 20 connections sending a byte of a header every 3 s. */
async function slowlorisLoop() {
  const open = new Set();
  while (running()) {
    while (open.size < 20) {
      const { host, port } = hostPort(echoPlain);
      const s = connect({ host, port });
      s.on('error', () => {});
      s.once('close', () => open.delete(s));
      s.resume();
      open.add(s);
      result.slowlorisOpened++;
    }
    for (const s of open) if (s.writable) s.write(Buffer.from([0]));
    await sleep(3000);
  }
  for (const s of open) s.destroy();
}

// ------------------------------------------------------------------ load: files

/** Uploads that the server confirmed: name → sha256 of the content. */
const published = new Map();

/** Run `fn` with a fresh client; bounded by 60 s whatever happens (a hang is reported, not waited on). */
async function withClient(fn) {
  const { host, port } = hostPort(fileAt);
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => {
      result.fileHangs++;
      reject(new Error('file operation did not settle within 60 s'));
    }, 60_000);
  });
  let c;
  try {
    return await Promise.race([
      (async () => {
        c = await FileClient.connect({ host, port, timeoutMs: 10_000, connectTimeoutMs: 5_000 });
        return await fn(c);
      })(),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
    void c?.close().catch(() => {});
  }
}

async function fileLoop(worker) {
  const local = path.join(dir, `w${worker}`);
  await fsp.mkdir(local, { recursive: true });
  let n = 0;
  while (running()) {
    const name = `w${worker}/f${n++ % 20}.bin`;
    const src = path.join(local, 'src.bin');
    const content = randomBytes(size(8 * MIB));
    await fsp.writeFile(src, content);
    const sha = createHash('sha256').update(content).digest('hex');
    try {
      if (n % 4 === 0) {
        // interrupted upload, resumed on a new connection
        const big = randomBytes(12 * MIB);
        await fsp.writeFile(src, big);
        const bigSha = createHash('sha256').update(big).digest('hex');
        await withClient(async (c) => {
          const p = c.put(src, name, { onProgress: (done) => done > 2 * MIB && void c.close().catch(() => {}) });
          await p.catch(() => {});
        });
        const r = await withClient((c) => c.put(src, name, { resume: true }));
        if (r.resumedFrom > 0) result.resumes++;
        published.set(name, bigSha);
      } else {
        await withClient((c) => c.put(src, name));
        published.set(name, sha);
      }
      result.uploads++;
      const dst = path.join(local, 'dst.bin');
      await withClient((c) => c.get(name, dst));
      const got = createHash('sha256').update(await fsp.readFile(dst)).digest('hex');
      if (got !== published.get(name)) {
        result.filesCorrupted++;
        note(`FILE CORRUPTED: ${name}`);
      } else result.filesVerified++;
    } catch {
      // SIGSTOPped server: timeouts; a failed upload may or may not have been published
      published.delete(name);
      result.fileRetries++;
      await sleep(500);
    }
  }
}

// ------------------------------------------------------------------ chaos

async function killLoop() {
  let k = 0;
  while (running()) {
    await sleep(Math.min(plan.killEveryMs, Math.max(0, deadline - Date.now())));
    if (!running()) break;
    const s = k++ % 2 === 0 || !tls ? byName['echo-plain'] : byName['echo-tls'];
    const kids = children(s.child.pid);
    if (kids.length === 0) continue;
    const victim = kids[Math.floor(Math.random() * kids.length)];
    try {
      process.kill(victim, 'SIGKILL'); // a worker of a server this soak started
      result.workerKills++;
      note(`kill -9 ${s.name} worker ${victim}`);
    } catch {}
  }
}

async function stopLoop() {
  await sleep(plan.stopEveryMs / 2);
  const fs = byName['file-server'];
  while (running()) {
    process.kill(fs.child.pid, 'SIGSTOP');
    result.fileServerStops++;
    note(`SIGSTOP file-server for ${plan.stopForMs / 1000} s`);
    await sleep(plan.stopForMs);
    process.kill(fs.child.pid, 'SIGCONT');
    await sleep(Math.min(plan.stopEveryMs, Math.max(0, deadline - Date.now())));
  }
}

// ------------------------------------------------------------------ sampling

async function scrape(at) {
  const ctl = AbortSignal.timeout(3000);
  const text = await (await fetch(`http://${at}/metrics`, { signal: ctl })).text();
  const v = (name) => {
    const m = new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  return { heap: v('nodejs_heap_size_used_bytes'), handles: v('nodejs_active_handles_total'), lagP99: v('nodejs_eventloop_lag_p99_seconds'), buffered: v('iocp_memory_buffered_bytes') };
}

const series = {};
function record(key, t, value) {
  if (!Number.isFinite(value)) return;
  (series[key] ??= []).push({ t, value });
}

async function sampleLoop() {
  const t0 = Date.now();
  console.log('    t  server       rss MiB (all procs)  heap MiB  handles  loop p99 ms  buffered MiB');
  while (running()) {
    await sleep(5000);
    const t = Math.round((Date.now() - t0) / 1000);
    for (const s of servers) {
      const pids = [s.child.pid, ...children(s.child.pid)];
      const rss = pids.reduce((a, p) => a + rssOf(p), 0);
      let m = { heap: Number.NaN, handles: Number.NaN, lagP99: Number.NaN, buffered: Number.NaN };
      try {
        m = await scrape(s.metrics);
      } catch {
        // the file-server while SIGSTOPped
      }
      record(`${s.name} rss`, t, rss);
      record(`${s.name} handles`, t, m.handles);
      result.samples.push({ t, server: s.name, rss, ...m });
      console.log(
        `${String(t).padStart(5)}  ${s.name.padEnd(12)} ${(rss / MIB).toFixed(1).padStart(19)}  ${(m.heap / MIB).toFixed(1).padStart(8)}  ${String(m.handles).padStart(7)}  ${(m.lagP99 * 1000).toFixed(1).padStart(11)}  ${(m.buffered / MIB).toFixed(1).padStart(12)}`,
      );
    }
  }
}

// ------------------------------------------------------------------ run

const loops = { stress: stressLoop(), 'slow reader': slowReaderLoop(), garbage: garbageLoop(), slowloris: slowlorisLoop(), 'files 0': fileLoop(0), 'files 1': fileLoop(1), kill: killLoop(), stop: stopLoop(), sample: sampleLoop() };
if (tls) Object.assign(loops, { 'tls echo 0': tlsEchoLoop(), 'tls echo 1': tlsEchoLoop() });
// Every loop ends at the deadline; one still running 90 s later is stuck (reported, not awaited).
const finished = new Set();
for (const [name, p] of Object.entries(loops)) {
  const done = () => finished.add(name);
  p.then(done, done);
}
await Promise.race([Promise.allSettled(Object.values(loops)), sleep(Math.max(0, deadline - Date.now()) + 90_000)]);
for (const name of Object.keys(loops)) {
  if (!finished.has(name)) {
    result.stuckLoops.push(name);
    note(`STUCK: the ${name} loop did not end`);
  }
}

// Every upload the server confirmed must still be there, byte for byte.
const check = path.join(dir, 'check.bin');
for (const [name, sha] of published) {
  try {
    await withClient((c) => c.get(name, check));
    const got = createHash('sha256').update(await fsp.readFile(check)).digest('hex');
    if (got !== sha) {
      result.filesCorrupted++;
      note(`FILE CORRUPTED at the end: ${name}`);
    }
  } catch (e) {
    result.filesLost++;
    note(`FILE LOST: ${name}: ${e.code ?? e.message}`);
  }
}
for (const [key, samples] of Object.entries(series)) {
  const t = key.endsWith('rss') ? RSS_TOLERANCE : HANDLES_TOLERANCE;
  result.growth[key] = growth(samples, t.factor, t.plusBytes ?? t.plus);
}
for (const s of servers) {
  s.expectedExit = true;
  if (!s.exited) {
    s.child.kill('SIGTERM');
    await Promise.race([new Promise((r) => s.child.once('exit', r)), sleep(15_000)]);
    if (!s.exited) s.child.kill('SIGKILL');
  }
}
await fsp.rm(dir, { recursive: true, force: true });

const problems = failures(result);
const lag = result.samples.filter((s) => Number.isFinite(s.lagP99)).map((s) => s.lagP99 * 1000);
console.log('\nsoak summary');
console.log(`  run ${minutes} min on Node ${process.version}; worker kills ${result.workerKills}, file-server stops ${result.fileServerStops}`);
console.log(`  echoes verified ${result.okEchoes} (stress ${result.stressMessages} in ${result.stressRounds} rounds, TLS ${result.tlsEchoes}), mismatches ${result.echoMismatches}, connection errors (expected with kills) ${result.echoErrors + result.stressErrors}`);
console.log(`  TLS connections whose handshake never completed (gave up after 10 s): ${result.unservedConnects}`);
console.log(`  slow reader ${(result.slowReaderBytes / MIB).toFixed(1)} MiB, garbage/oversized closed by the server ${result.garbageClosed}, slowloris connections ${result.slowlorisOpened}`);
console.log(`  files: uploads ${result.uploads} (resumed ${result.resumes}), verified downloads ${result.filesVerified}, corrupted ${result.filesCorrupted}, lost ${result.filesLost}, retried after timeouts ${result.fileRetries}, operations that hung ${result.fileHangs}`);
console.log(`  event-loop delay p99 over the samples: max ${lag.length ? Math.max(...lag).toFixed(1) : 'n/a'} ms`);
for (const [key, g] of Object.entries(result.growth)) {
  const unit = key.endsWith('rss') ? MIB : 1;
  console.log(`  ${key.padEnd(22)} first third ${(g.first / unit).toFixed(1)}, last third ${(g.last / unit).toFixed(1)}, limit ${(g.limit / unit).toFixed(1)} ${g.judged ? (g.ok ? 'ok' : 'GREW') : '(too few samples)'}`);
}
for (const p of problems) console.log(`  FAIL: ${p}`);
console.log(problems.length === 0 ? 'PASS' : 'FAIL');
if (values.json) await fsp.writeFile(values.json, `${JSON.stringify({ ...result, problems }, null, 2)}\n`);
process.exit(problems.length === 0 ? 0 : 1);
