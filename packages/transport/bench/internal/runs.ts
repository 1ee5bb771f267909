/**
 * What the transport benchmarks share: CPU pinning, forking the benchmark file itself in a role,
 * waiting for a child's message, one measured server + load-generator run, and medians.
 *
 * Protocol of a measured run: the server child sends `{ t: 'ready', port }`, answers
 * `{ t: 'cpu' }` with `{ t: 'cpu', us }` (its user + system CPU) and exits on `{ t: 'stop' }`;
 * the load child sends `{ t: 'start' }` when its warm-up is over and `{ t: 'done', count }` at the
 * end, then exits.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';

/** Pin `pid` to `cpu` with taskset; false when there is one CPU or taskset is unavailable. */
export function pin(pid: number, cpu: number): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fork the benchmark file `self` with `args` (its role), with an IPC channel. */
export function forkSelf(self: string, args: string[], extraArgv: string[] = []): ChildProcess {
  return fork(self, args, { execArgv: [...process.execArgv, ...extraArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next message of `type` from `cp`; rejects when the child exits first or after 60 s. */
export function nextMessage<T>(cp: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cp.off('message', onMsg);
      cp.off('exit', onExit);
      reject(new Error(`no '${type}' from child ${cp.pid} within 60 s`));
    }, 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before '${type}'`));
    };
    const onMsg = (m: { t: string }) => {
      if (m.t === type) {
        clearTimeout(timer);
        cp.off('message', onMsg);
        cp.off('exit', onExit);
        resolve(m as T);
      }
    };
    cp.on('message', onMsg);
    cp.once('exit', onExit);
  });
}

/** One run: the server's CPU time and the generator's count over the generator's measured window. */
export async function measuredRun(
  self: string,
  serverArgs: string[],
  loadArgs: (port: number) => string[],
): Promise<{ count: number; cpuUs: number; secs: number }> {
  const server = forkSelf(self, serverArgs);
  const serverExit = new Promise((r) => server.once('exit', r));
  const { port } = await nextMessage<{ port: number }>(server, 'ready');
  const gen = forkSelf(self, loadArgs(port));
  // Listen for everything the generator will say before awaiting any of it: a message that
  // arrives while nobody listens is lost (and the run would hang).
  const genExit = new Promise((r) => gen.once('exit', r));
  const started = nextMessage(gen, 'start');
  const finished = nextMessage<{ count: number }>(gen, 'done');
  await started;
  server.send({ t: 'cpu' });
  const c0 = await nextMessage<{ us: number }>(server, 'cpu');
  const t0 = performance.now();
  const { count } = await finished;
  server.send({ t: 'cpu' });
  const c1 = await nextMessage<{ us: number }>(server, 'cpu');
  const secs = (performance.now() - t0) / 1000;
  await genExit;
  server.send({ t: 'stop' });
  await serverExit;
  return { count, cpuUs: c1.us - c0.us, secs };
}

/** The middle value (the upper one of two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
