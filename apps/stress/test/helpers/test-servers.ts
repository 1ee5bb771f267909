import { spawn } from 'node:child_process';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StressSummary } from '../../src/stress-summary.js';

/** A loopback server for one test; `close()` also destroys every accepted socket. */
export interface TestServer {
  readonly target: string;
  readonly connections: number;
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1:0 whose per-connection behaviour is `onConnection`. */
export async function startServer(onConnection: (socket: Socket, index: number) => void, host = '127.0.0.1'): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let index = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket, index++);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    get connections() {
      return index;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echo every chunk back. */
export function echo(socket: Socket): void {
  socket.on('data', (chunk) => socket.write(chunk));
}

/** Echo, but flip every bit of the byte at `offset` of the returned stream. */
export function corruptAt(offset: number): (socket: Socket) => void {
  return (socket) => {
    let seen = 0;
    socket.on('data', (chunk: Buffer) => {
      if (offset >= seen && offset < seen + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[offset - seen] = copy[offset - seen]! ^ 0xff;
        chunk = copy;
      }
      seen += chunk.length;
      socket.write(chunk);
    });
  };
}

/** Framed echo that returns frames in swapped pairs (2, 1, 4, 3, ...): right bytes, wrong order. */
export function swapPairs(socket: Socket): void {
  let pending = Buffer.alloc(0);
  let held: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const len = pending.readUInt32BE(0);
      if (pending.length < 4 + len) break;
      const frame = Buffer.from(pending.subarray(0, 4 + len));
      pending = pending.subarray(4 + len);
      if (held === undefined) {
        held = frame;
      } else {
        socket.write(frame);
        socket.write(held);
        held = undefined;
      }
    }
  });
}

/** Read and never answer. */
export function blackhole(socket: Socket): void {
  socket.resume();
}

const BIN = fileURLToPath(new URL('../../bin/stress.js', import.meta.url));

/** Outcome of one run of the built CLI. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node bin/stress.js ...args`; killed (by PID) after `timeoutMs`. */
export function runStress(args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run with `--json --quiet` and parse the summary. */
export async function runJson(args: readonly string[]): Promise<{ code: number | null; summary: StressSummary; stderr: string }> {
  const r = await runStress([...args, '--json', '--quiet']);
  let summary: StressSummary;
  try {
    summary = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, summary, stderr: r.stderr };
}

/**
 * Framed echo of the first `frames` whole frames of each connection, then the socket is
 * destroyed — with whatever else the client had sent unanswered (a server going away).
 */
export function dropAfter(frames: number): (socket: Socket) => void {
  return (socket) => {
    let pending = Buffer.alloc(0);
    let answered = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (answered < frames && pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const n = 4 + pending.readUInt32BE(0);
        socket.write(pending.subarray(0, n));
        pending = pending.subarray(n);
        answered++;
      }
      if (answered >= frames) socket.destroy();
    });
  };
}
