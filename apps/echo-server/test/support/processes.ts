import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** Absolute paths of the built app entry points. */
export const SERVER_BIN = fileURLToPath(new URL('../../bin/echo-server.js', import.meta.url));
export const CLIENT_BIN = fileURLToPath(new URL('../../../echo-client/bin/echo-client.js', import.meta.url));

/** A spawned echo server whose stdout and stderr are captured. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Addresses from the `listening` lines, in order. */
  readonly listening: string[];
  /** Address from the `metrics` line, if any. */
  metrics: string | undefined;
  stdout(): string;
  stderr(): string;
  /** Send `signal` and resolve with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Kill (by pid) every server this test file started that is still running. */
export async function killAllStarted(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }),
  );
}

/**
 * Start the echo server and wait until it printed `expectListening` listening lines (and the
 * metrics line when `--metrics` is given). Rejects with its stderr if it exits first.
 */
export async function startServer(
  args: string[],
  expectListening = 1,
  options: { env?: NodeJS.ProcessEnv; ownProcessGroup?: boolean } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    detached: options.ownProcessGroup === true, // its own process group, to signal it like a terminal's Ctrl-C
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  const wantMetrics = args.includes('--metrics');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    child,
    listening: [],
    metrics: undefined,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const lines = out.split('\n');
      server.listening.splice(0, server.listening.length, ...lines.filter((l) => l.startsWith('listening ')).map((l) => l.slice(10)));
      server.metrics = lines.find((l) => l.startsWith('metrics '))?.slice(8);
      if (server.listening.length >= expectListening && (!wantMetrics || server.metrics)) resolve();
    };
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      check();
    });
    exited.then((code) => reject(new Error(`echo-server exited with ${code} before it was ready; stderr: ${err}`)));
  });
  return server;
}

/** Result of a finished process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a bin to completion (killed after `timeoutMs`), optionally feeding `input` on stdin. */
export async function run(bin: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 20_000,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  child.stdin.on('error', () => {}); // the process may exit before reading its input
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Split `host:port` / `[v6]:port` as printed by the apps. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`bad address ${address}`);
  return { host: m[1]!, port: Number(m[2]) };
}
