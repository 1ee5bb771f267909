/**
 * Child processes for the benchmark: spawn (optionally pinned to a CPU with taskset), wait for
 * the `listening HOST:PORT` line, read CPU time and RSS from /proc, and kill — always by PID,
 * always bounded. Every child is tracked so an exit or a signal kills what is left.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** taskset is usable and there are at least two CPUs to keep server and load apart. */
export function canPin() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    execFileSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Clock ticks per second for /proc/<pid>/stat times. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Spawn `node script ...args`, pinned to `cpu` when given (taskset execs node, so the PID is
 * node's). Output is collected in `child.out` / `child.err` (bounded to the last 1 MiB).
 */
export function spawnNode(script, args, cpu, nodeFlags = []) {
  const command = cpu === undefined ? process.execPath : 'taskset';
  const node = [...nodeFlags, script, ...args];
  const argv = cpu === undefined ? node : ['-c', String(cpu), process.execPath, ...node];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const state = { out: '', err: '' };
  const cap = (s) => (s.length > 1 << 20 ? s.slice(-(1 << 20)) : s);
  child.stdout.setEncoding('utf8').on('data', (d) => {
    state.out = cap(state.out + d);
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    state.err = cap(state.err + d);
  });
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      children.delete(child);
      state.err += String(error);
      resolve({ code: null, signal: null });
    });
  });
  return { child, state, exited };
}

/** Wait for `listening HOST:PORT` on stdout; rejects on exit or after `timeoutMs`. */
export function waitListening(proc, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "listening" line within ${timeoutMs} ms; stderr: ${proc.state.err.slice(-500)}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening (\S+):(\d+)/.exec(proc.state.out);
      if (m) {
        cleanup();
        resolve({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), target: `${m[1]}:${m[2]}` });
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`server exited before listening; stderr: ${proc.state.err.slice(-500)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.child.stdout.off('data', onData);
      proc.child.off('close', onExit);
    };
    proc.child.stdout.on('data', onData);
    proc.child.on('close', onExit);
    onData();
  });
}

/** Wait for exit up to `timeoutMs`, then SIGKILL (by PID) and wait again. */
export async function waitExit(proc, timeoutMs) {
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([proc.exited, timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return { ...first, killed: false };
  kill(proc, 'SIGKILL');
  return { ...(await proc.exited), killed: true };
}

/** Send `signal` to the child by PID (ignored when already gone). */
export function kill(proc, signal) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null || proc.child.pid === undefined) return;
  try {
    process.kill(proc.child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM, give it `graceMs`, then SIGKILL. */
export async function stop(proc, graceMs = 3000) {
  kill(proc, 'SIGTERM');
  return waitExit(proc, graceMs);
}

/** CPU seconds (user + system) the process has used so far; NaN when /proc is unavailable. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes (VmRSS); NaN when unavailable. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Open file descriptors of `pid` (for a server: listeners + connections + Node's own); NaN when
 * unavailable. Linux ≥ 6.2 reports the count as the size of /proc/<pid>/fd, an O(1) read; older
 * kernels report 0 there, and the directory is listed instead.
 */
export function fdCount(pid) {
  try {
    const size = statSync(`/proc/${pid}/fd`).size;
    return size > 0 ? size : readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** Whether /proc can be read (Linux). */
export const hasProc = existsSync('/proc/self/stat');
