/**
 * Processes behind and in front of a balancer on loopback: echo, file and kv servers, haproxy,
 * nginx and the stress tool. Every child is tracked and killed by PID ({@link killAll}); every
 * wait polls a condition with a deadline (no sleeps standing in for readiness).
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ECHO_SERVER = join(ROOT, 'apps/echo-server/bin/echo-server.js');
export const FILE_SERVER = join(ROOT, 'apps/file-server/bin/file-server.js');
export const STRESS = join(ROOT, 'apps/stress/bin/stress.js');
export const KV_SERVER = join(ROOT, 'apps/kv-server/bin/kv-server.js');

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** Children that must get a signal of their own first (nginx: SIGTERM, so the master stops its workers). */
const stopSignals = new WeakMap();

/** The path of `command` on PATH, or undefined. */
export function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A free TCP port on `host`: bind port 0, read it, close (the config files need concrete ports). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/** Poll `probe` (sync or async) every `everyMs` until truthy; throws `what` after `ms`. */
export async function waitUntil(probe, what, ms = 15_000, everyMs = 20) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when a TCP connect to host:port succeeds (the socket is closed at once). */
export function canConnect(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** `[command, args]` run on CPU `cpu` with taskset (the PID is then the command's: taskset execs), or as is. */
export function onCpu(cpu, command, args) {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
}

/**
 * Spawn a tracked child; output collected (last 1 MiB of each stream).
 * @returns {{ child: import('node:child_process').ChildProcess, out: () => string, err: () => string, exited: Promise<number | null> }}
 */
export function start(command, args, options = {}) {
  const { stopSignal, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  children.add(child);
  if (stopSignal !== undefined) stopSignals.set(child, stopSignal);
  let out = '';
  let err = '';
  const cap = (s) => (s.length > 1 << 20 ? s.slice(-(1 << 20)) : s);
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out = cap(out + d);
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    err = cap(err + d);
  });
  const exited = new Promise((resolve) => {
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.once('error', (e) => {
      children.delete(child);
      err += String(e);
      resolve(null);
    });
  });
  return { child, out: () => out, err: () => err, exited };
}

/**
 * Stop, by PID, every child started here that still runs, and wait for each to exit: its own
 * stop signal first when it has one (nginx's master then ends its workers), SIGKILL after 5 s.
 */
export async function killAll() {
  const waits = [];
  for (const child of [...children]) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    const pid = child.pid;
    waits.push(
      new Promise((resolve) => {
        const kill = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, stopSignals.has(child) ? 5000 : 0);
        child.once('exit', () => {
          clearTimeout(kill);
          children.delete(child);
          resolve(undefined);
        });
      }),
    );
    if (stopSignals.has(child)) child.kill(stopSignals.get(child));
  }
  await Promise.all(waits);
}
process.on('exit', () => {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
});

/**
 * Start an app that prints `listening HOST:PORT` (and `metrics HOST:PORT` with --metrics);
 * resolves once they are printed.
 */
export async function startApp(script, args, cpu = undefined) {
  const p = start(...onCpu(cpu, process.execPath, [script, ...args]));
  const wantMetrics = args.includes('--metrics');
  let exitedEarly = false;
  p.exited.then(() => {
    exitedEarly = true;
  });
  await waitUntil(
    () => {
      if (exitedEarly) throw new Error(`${script} exited before it was ready: ${p.err()}`);
      const lines = p.out().split('\n');
      return lines.some((l) => l.startsWith('listening ')) && (!wantMetrics || lines.some((l) => l.startsWith('metrics ')));
    },
    `${script} to print its listening line`,
    30_000,
  );
  const lines = p.out().split('\n');
  return {
    ...p,
    address: lines.find((l) => l.startsWith('listening '))?.slice(10),
    metrics: lines.find((l) => l.startsWith('metrics '))?.slice(8),
    /** SIGTERM (graceful drain) and wait for the exit code. */
    async stop() {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      return p.exited;
    },
  };
}

/** An echo server instance behind the balancer: PROXY protocol from 127.0.0.1, metrics on. */
export function startEchoServer(port, extra = [], cpu = undefined) {
  return startApp(
    ECHO_SERVER,
    ['--listen', `127.0.0.1:${port}`, '--metrics', '127.0.0.1:0', '--proxy-protocol', '--trusted-proxy', '127.0.0.1/32', ...extra],
    cpu,
  );
}

/** A kv-server instance behind the balancer: PROXY protocol from 127.0.0.1, metrics on. */
export function startKvServer(port, extra = []) {
  return startApp(KV_SERVER, ['--listen', `127.0.0.1:${port}`, '--metrics', '127.0.0.1:0', '--proxy-protocol', '--trusted-proxy', '127.0.0.1/32', ...extra]);
}

/** GET /metrics of `address` and return the value of `series` (0 when absent). */
export async function metric(address, series) {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  for (const line of text.split('\n')) if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

/** Run haproxy in the foreground (-db) with `config` written into `dir`; resolves once `frontendPort` accepts. */
export async function startHaproxy(config, dir, frontendPort, cpu = undefined) {
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const p = start(...onCpu(cpu, 'haproxy', ['-db', '-f', file]));
  await waitUntil(async () => {
    if (p.child.exitCode !== null) throw new Error(`haproxy exited: ${p.err()}`);
    return canConnect(frontendPort);
  }, 'haproxy to accept connections');
  return p;
}

/** Run nginx in the foreground with `config` written into `dir`; resolves once `frontendPort` accepts. */
export async function startNginx(config, dir, frontendPort) {
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const p = start('nginx', ['-c', file, '-p', dir, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stopSignal: 'SIGTERM' });
  await waitUntil(async () => {
    if (p.child.exitCode !== null) throw new Error(`nginx exited: ${p.err()}`);
    return canConnect(frontendPort);
  }, 'nginx to accept connections');
  return p;
}

/**
 * `show stat` over haproxy's stats socket: the rows of `backend`'s servers by name, each as
 * `{ column: value }` (`status` UP/DOWN, `chkfail`, `check_status` L4OK ...).
 * @returns {Promise<Record<string, Record<string, string>>>}
 */
export function haproxyServers(socketPath, backend) {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d) => {
      text += d;
    });
    s.on('error', (e) => {
      // The socket file appears a moment after the frontend accepts: not ready yet.
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') resolve({});
      else reject(e);
    });
    s.on('end', () => {
      const [head = '', ...rows] = text.split('\n');
      const columns = head.replace(/^# /, '').split(',');
      /** @type {Record<string, Record<string, string>>} */
      const servers = {};
      for (const row of rows) {
        const f = row.split(',');
        if (f[0] !== backend || f[1] === 'BACKEND' || f[1] === 'FRONTEND' || f[1] === undefined) continue;
        servers[f[1]] = Object.fromEntries(columns.map((c, i) => [c, f[i] ?? '']));
      }
      resolve(servers);
    });
    s.write('show stat\n');
  });
}

/** Run the stress tool with `args` plus --json --quiet; resolves with its exit code and summary. */
export async function runStress(args, timeoutMs = 60_000, cpu = undefined) {
  const p = start(...onCpu(cpu, process.execPath, [STRESS, ...args, '--json', '--quiet']), { timeout: timeoutMs, killSignal: 'SIGKILL' });
  const code = await p.exited;
  let summary;
  try {
    summary = JSON.parse(p.out());
  } catch {
    throw new Error(`stress exited ${code} without a JSON summary: ${p.err()}`);
  }
  return { code, summary, stderr: p.err() };
}
