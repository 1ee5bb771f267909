import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killStarted, runNode, spawnNode } from '@iocp/cli-support/test-support';

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

/** Kill (by pid) every process this test file started that is still running. */
export const killAllStarted = killStarted;

/**
 * Start the echo server and wait until it printed `expectListening` listening lines (and the
 * metrics line when `--metrics` is given). Rejects with its stderr if it exits first.
 */
export async function startServer(
  args: string[],
  expectListening = 1,
  options: { env?: NodeJS.ProcessEnv; ownProcessGroup?: boolean } = {},
): Promise<ServerProcess> {
  const spawned = spawnNode(SERVER_BIN, args, {
    ...(options.env !== undefined ? { env: options.env } : {}),
    ownProcessGroup: options.ownProcessGroup === true, // its own process group, to signal it like a terminal's Ctrl-C
  });
  const child = spawned.proc;
  const wantMetrics = args.includes('--metrics');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    child,
    listening: [],
    metrics: undefined,
    stdout: spawned.stdout,
    stderr: spawned.stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const lines = spawned.stdout().split('\n');
      server.listening.splice(0, server.listening.length, ...lines.filter((l) => l.startsWith('listening ')).map((l) => l.slice(10)));
      server.metrics = lines.find((l) => l.startsWith('metrics '))?.slice(8);
      if (server.listening.length >= expectListening && (!wantMetrics || server.metrics)) resolve();
    };
    child.stdout!.on('data', check); // after spawnNode's own listener: the chunk is already captured
    exited.then((code) => reject(new Error(`echo-server exited with ${code} before it was ready; stderr: ${spawned.stderr()}`)));
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
  return runNode(bin, args, {
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 20_000,
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
}

/** Split `host:port` / `[v6]:port` as printed by the apps. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`bad address ${address}`);
  return { host: m[1]!, port: Number(m[2]) };
}
