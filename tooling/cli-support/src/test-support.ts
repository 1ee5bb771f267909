/**
 * `@iocp/cli-support/test-support` — helpers for the apps' tests that run their built bins as
 * child processes. Every process started here is tracked so that {@link killStarted} (call it in
 * `afterEach`) ends, by PID, those still running; nothing else is ever signalled.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** Output and end of a finished process. */
export interface ProcessResult {
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, if any. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running process whose stdout and stderr are captured. */
export interface SpawnedProcess {
  readonly proc: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once the process has exited and its output is complete. */
  readonly done: Promise<ProcessResult>;
}

/** Options of {@link spawnNode}. */
export interface SpawnNodeOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the current environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Default: stdin is not connected. */
  readonly input?: string;
  /** SIGKILL the process after this long. Default: no limit. */
  readonly timeoutMs?: number;
  /** Start it in its own process group (to signal it like a terminal's Ctrl-C). Default false. */
  readonly ownProcessGroup?: boolean;
}

const started = new Set<ChildProcess>();

/** Start `node SCRIPT ...args` (a built bin), capture its output, track it for {@link killStarted}. */
export function spawnNode(script: string, args: readonly string[], options: SpawnNodeOptions = {}): SpawnedProcess {
  const proc = spawn(process.execPath, [script, ...args], {
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    detached: options.ownProcessGroup === true,
  });
  started.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (options.input !== undefined) {
    proc.stdin!.on('error', () => {}); // the process may exit before reading its input
    proc.stdin!.end(options.input);
  }
  const done = new Promise<ProcessResult>((resolve) => {
    proc.once('close', (code, signal) => {
      started.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, stdout: () => stdout, stderr: () => stderr, done };
}

/** Run `node SCRIPT ...args` to completion; see {@link spawnNode}. */
export function runNode(script: string, args: readonly string[], options: SpawnNodeOptions = {}): Promise<ProcessResult> {
  return spawnNode(script, args, options).done;
}

/** SIGKILL (by PID) every process started by {@link spawnNode} that is still running, and wait for each to exit. */
export async function killStarted(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) {
      waits.push(new Promise((resolve) => proc.once('exit', resolve)));
      proc.kill('SIGKILL');
    }
  }
  started.clear();
  await Promise.all(waits);
}

/**
 * Wait until `probe` returns true, polling every `everyMs` (default 2), or reject after `ms`
 * (default 30 s; an upper bound for a busy machine, not an expectation).
 */
export async function waitUntil(probe: () => Promise<boolean> | boolean, ms = 30_000, everyMs = 2): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Wait until the process's stdout has `count` complete lines (ended by a newline) starting with
 * `prefix` (e.g. `listening `) and return them without the prefix. Rejects with its stderr if
 * the process exits first.
 */
export async function waitForLines(p: SpawnedProcess, prefix: string, count = 1, ms = 30_000): Promise<string[]> {
  const lines = (): string[] =>
    p
      .stdout()
      .split('\n')
      .slice(0, -1) // the text after the last newline is not a complete line yet
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.slice(prefix.length));
  let exited = false;
  void p.done.then(() => {
    exited = true;
  });
  await waitUntil(() => {
    if (lines().length >= count) return true;
    if (exited) throw new Error(`process exited before printing ${count} '${prefix}' line(s); stderr: ${p.stderr()}`);
    return false;
  }, ms, 10);
  return lines().slice(0, count);
}

/**
 * Whether util-linux `script` is installed: it gives a child process a real terminal (tests of
 * interactive prompts and progress bars skip themselves without it).
 */
export const hasScript: boolean = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
