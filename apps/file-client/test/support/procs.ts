import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessResult, killStarted, spawnNode, waitForLines, waitUntil } from '@iocp/cli-support/test-support';
import { parseEndpoint } from '@iocp/transport';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN = path.resolve(here, '../../../file-server/bin/file-server.js');
export const CLIENT_BIN = path.resolve(here, '../../bin/file-client.js');

export interface Server {
  proc: ChildProcess;
  port: number;
  stderr: () => string;
}

/** Start the built file-server on 127.0.0.1:0 and wait for its `listening` line. */
export async function startServer(args: string[]): Promise<Server> {
  const server = spawnNode(SERVER_BIN, ['--listen', '127.0.0.1:0', '--log-level', 'warn', ...args]);
  const [address] = await waitForLines(server, 'listening ');
  return { proc: server.proc, port: parseEndpoint(address!).port, stderr: server.stderr };
}

export type Run = ProcessResult;

/** Spawn the built file-client; `done` resolves when it exits. */
export function spawnClient(args: string[], cwd?: string): { proc: ChildProcess; done: Promise<Run> } {
  return spawnNode(CLIENT_BIN, args, cwd ? { cwd } : {});
}

export function runClient(args: string[], cwd?: string): Promise<Run> {
  return spawnClient(args, cwd).done;
}

/** Kill (by PID) every process these helpers started that is still running. */
export const killAll = killStarted;

/** Wait until `probe` returns true (polled every 2 ms), or fail after `ms`. */
export const until = waitUntil;
