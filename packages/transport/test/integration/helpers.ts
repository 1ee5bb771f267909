import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { FrameReader, lengthPrefixed } from '@iocp/framing';
import type { CompletionPort } from '../../src/index.js';

/** The default wire format: 4-byte big-endian length, then the payload. */
export function frame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** Poll `cond` until true; rejects after `timeoutMs` (an upper bound, not an expectation). */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A plain node:net client that decodes length-prefixed frames with @iocp/framing. */
export interface PlainClient {
  socket: Socket;
  frames: Buffer[];
  bytes: number;
  ended: boolean;
  closed: boolean;
  send(payload: Buffer | string): void;
  waitFrames(n: number, timeoutMs?: number): Promise<Buffer[]>;
  waitClosed(timeoutMs?: number): Promise<void>;
}

export async function plainClient(port: number, host = '127.0.0.1', opts: { decode?: boolean } = {}): Promise<PlainClient> {
  const socket = connect({ host, port });
  const reader = new FrameReader(lengthPrefixed().createDecoder());
  const c: PlainClient = {
    socket,
    frames: [],
    bytes: 0,
    ended: false,
    closed: false,
    send(payload) {
      socket.write(frame(payload));
    },
    async waitFrames(n, timeoutMs = 5000) {
      await waitFor(() => c.frames.length >= n, timeoutMs, `${n} frames (have ${c.frames.length})`);
      return c.frames;
    },
    async waitClosed(timeoutMs = 5000) {
      await waitFor(() => c.closed, timeoutMs, 'client socket close');
    },
  };
  socket.on('data', (chunk: Buffer) => {
    c.bytes += chunk.length;
    if (opts.decode === false) return;
    reader.push(chunk);
    for (let f = reader.next(); f !== undefined; f = reader.next()) c.frames.push(Buffer.from(f));
  });
  socket.on('end', () => {
    c.ended = true;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    c.closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return c;
}

/** Tracks ports and sockets of a test so afterEach can close them all. */
export class Cleanup {
  private readonly ports: CompletionPort[] = [];
  private readonly sockets: Socket[] = [];
  port<T extends CompletionPort>(p: T): T {
    this.ports.push(p);
    return p;
  }
  socket<T extends { socket: Socket }>(c: T): T {
    this.sockets.push(c.socket);
    return c;
  }
  async run(): Promise<void> {
    for (const s of this.sockets.splice(0)) s.destroy();
    await Promise.all(this.ports.splice(0).map((p) => p.close({ drainMs: 200 })));
  }
}

/** Close events recorded by a handler, for assertions. */
export interface CloseRecord {
  handle: number;
  reason: string;
  code: string | undefined;
}

export function closeRecorder(): { closes: CloseRecord[]; onClose(conn: { handle: number }, reason: string, error?: Error): void } {
  const closes: CloseRecord[] = [];
  return {
    closes,
    onClose(conn, reason, error) {
      closes.push({ handle: conn.handle, reason, code: (error as { code?: string } | undefined)?.code });
    },
  };
}

/** Connect and wait until the server closes the socket (refused peers may see the reset before `connect`). */
export async function expectClosedByServer(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<void> {
  const socket = connect({ host, port });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server did not close ${host}:${port}`));
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Whether the `openssl` command is on this machine (TLS tests skip themselves without it). */
export const hasOpenssl: boolean = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * A fresh self-signed P-256 certificate and key (PEM), valid two days, made with `openssl` in
 * `dir`. `name` prefixes the files; `subject` and `extension` go to `-subj` and `-addext`.
 */
export function selfSigned(
  dir: string,
  name: string,
  subject = '/CN=localhost',
  extension = 'subjectAltName=DNS:localhost,IP:127.0.0.1',
): { cert: string; key: string } {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', subject, '-addext', extension,
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
