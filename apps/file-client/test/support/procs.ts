import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN = path.resolve(here, '../../../file-server/bin/file-server.js');
export const CLIENT_BIN = path.resolve(here, '../../bin/file-client.js');

const started = new Set<ChildProcess>();

export interface Server {
  proc: ChildProcess;
  port: number;
  stderr: () => string;
}

/** Start the built file-server on 127.0.0.1:0 and wait for its `listening` line. */
export function startServer(args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, [SERVER_BIN, '--listen', '127.0.0.1:0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  proc.once('exit', () => started.delete(proc));
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]), stderr: () => err });
    });
    proc.once('exit', (code) => reject(new Error(`file-server exited with ${code}: ${err}`)));
  });
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn the built file-client; `done` resolves when it exits. */
export function spawnClient(args: string[], cwd?: string): { proc: ChildProcess; done: Promise<Run> } {
  const proc = spawn(process.execPath, [CLIENT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  started.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<Run>((resolve) => {
    proc.once('close', (code, signal) => {
      started.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, done };
}

export function runClient(args: string[], cwd?: string): Promise<Run> {
  return spawnClient(args, cwd).done;
}

/** Kill (by PID) every process these helpers started that is still running. */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const p of started) {
    if (p.exitCode === null && p.signalCode === null) {
      waits.push(new Promise((r) => p.once('exit', r)));
      p.kill('SIGKILL');
    }
  }
  started.clear();
  await Promise.all(waits);
}

/** Wait until `probe` returns true (polled every 2 ms), or fail after `ms`. */
export async function until(probe: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
