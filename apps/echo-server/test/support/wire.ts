import { once } from 'node:events';
import { type Socket, connect } from 'node:net';

/** Open a plain TCP socket and wait until it is connected. */
export async function openSocket(host: string, port: number): Promise<Socket> {
  const socket = connect({ host, port });
  socket.on('error', () => {}); // a reset shows up as 'close'; tests assert on data and close, not on errno
  await once(socket, 'connect');
  return socket;
}

/**
 * Connect and resolve when the server has closed the connection — for a peer the server
 * refuses: depending on timing the refusal is a reset during connect, a reset after it, or a
 * FIN. Resolves with the bytes received before the close (none for a refused peer).
 */
export function connectUntilClosed(host: string, port: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => socket.end());
    socket.once('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** 4-byte big-endian length prefix + payload: the framed wire format. */
export function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Buffers everything a socket receives, so reads of exact lengths never lose bytes. */
class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.wake?.();
    });
    const onEnd = (): void => {
      this.ended = true;
      this.wake?.();
    };
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (this.ended) throw new Error(`socket ended after ${this.buffered} of ${n} bytes`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}

const readers = new WeakMap<Socket, SocketReader>();

/** Read exactly `n` bytes from a socket (rejects if it ends first). */
export function readBytes(socket: Socket, n: number): Promise<Buffer> {
  let reader = readers.get(socket);
  if (reader === undefined) {
    reader = new SocketReader(socket);
    readers.set(socket, reader);
  }
  return reader.read(n);
}

/** Send one frame and resolve with the echoed frame payload. */
export async function framedEcho(socket: Socket, payload: Buffer): Promise<Buffer> {
  socket.write(frame(payload));
  const header = await readBytes(socket, 4);
  return readBytes(socket, header.readUInt32BE(0));
}

/** Resolve when the peer closed the socket (end or close), with the bytes received meanwhile. */
export function untilClosed(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.once('end', () => socket.end());
    socket.on('error', () => {});
  });
}

/** Poll `probe` every `everyMs` until it returns a value other than undefined, or fail after `withinMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, withinMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** GET /metrics and return the text. */
export async function scrape(address: string): Promise<string> {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** The value of one series (`name` or `name{labels}`) in Prometheus text, or undefined. */
export function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
