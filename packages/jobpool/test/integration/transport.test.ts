import { type Socket, connect } from 'node:net';
import { FrameReader, lengthPrefixed } from '@iocp/framing';
import { CompletionPort } from '@iocp/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_WORKER_PATH, JobPool, jobPoolHandler } from '../../src/index.js';
import { eventually } from '../fake-connection.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Client {
  socket: Socket;
  frames: Buffer[];
  closed: boolean;
}

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const reader = new FrameReader(lengthPrefixed().createDecoder());
    const c: Client = { socket, frames: [], closed: false };
    cleanups.push(() => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let f = reader.next(); f !== undefined; f = reader.next()) c.frames.push(Buffer.from(f));
    });
    socket.on('close', () => {
      c.closed = true;
    });
    socket.once('error', reject);
    socket.once('connect', () => resolve(c));
  });
}

/** `count` frames, each its index as 4 bytes plus `pad` bytes, in one buffer. */
function burst(count: number, pad: number, tag: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body = Buffer.alloc(8 + pad, tag);
    body.writeUInt32BE(i, 0);
    body.writeUInt32BE(tag, 4);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    parts.push(header, body);
  }
  return Buffer.concat(parts);
}

describe('jobPoolHandler over a real CompletionPort (loopback)', () => {
  it('echoes flooded frames in request order per connection, pausing and resuming reads', async () => {
    const pool = new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads: 2,
      workerData: { costUs: 300 },
      perKey: { max: 64, highWaterMark: 8, lowWaterMark: 2 },
    });
    cleanups.push(() => pool.close({ force: true }));
    const port = new CompletionPort();
    cleanups.push(() => port.close({ drainMs: 0 }));
    const handler = jobPoolHandler(pool);
    let held = 0;
    const listener = await port.listen(
      { host: '127.0.0.1', port: 0, codec: lengthPrefixed() },
      {
        onOpen: (conn) => handler.onOpen(conn),
        onMessage: (conn, frame) => {
          const wait = handler.onMessage(conn, frame);
          if (wait !== undefined) held++;
          return wait;
        },
        onDrain: (conn) => handler.onDrain(conn),
        onClose: (conn) => handler.onClose(conn),
      },
    );
    const COUNT = 150;
    const clients = await Promise.all([client(listener.port), client(listener.port)]);
    clients.forEach((c, tag) => c.socket.write(burst(COUNT, tag * 100, tag)));
    await eventually(() => clients.every((c) => c.frames.length === COUNT));
    clients.forEach((c, tag) => {
      expect(c.frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, i) => i));
      expect(c.frames.every((f) => f.readUInt32BE(4) === tag && f.length === 8 + tag * 100)).toBe(true);
    });
    // The flood went over the high watermark: the connection was held and resumed.
    expect(held).toBeGreaterThan(0);
    expect(pool.stats().reordered).toBeGreaterThan(0);
    expect(pool.stats().completed).toBe(2 * COUNT);
  }, 30_000);

  it('cancels a connection’s jobs when the peer goes away', async () => {
    const pool = new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads: 1,
      workerData: { costUs: 50_000 },
    });
    cleanups.push(() => pool.close({ force: true }));
    const port = new CompletionPort();
    cleanups.push(() => port.close({ drainMs: 0 }));
    const listener = await port.listen({ host: '127.0.0.1', port: 0, codec: lengthPrefixed() }, jobPoolHandler(pool));
    const c = await client(listener.port);
    c.socket.write(burst(40, 0, 1));
    await eventually(() => pool.stats().submitted === 40);
    // RST: the peer is gone. (A FIN alone is a half-close: the replies in flight are still
    // owed, see the half-close test below.)
    c.socket.resetAndDestroy();
    await eventually(() => pool.stats().cancelled > 0 && pool.stats().inFlight === 0);
    // 40 jobs of 25–75 ms on one thread would take about 2 s; the close cut that short.
    expect(pool.stats().completed).toBeLessThan(40);
    expect(pool.stats().completed + pool.stats().cancelled).toBe(40);
  }, 30_000);

  it('a peer that floods without reading stalls itself: the send queue stays bounded', async () => {
    const pool = new JobPool<Uint8Array, Uint8Array, number>({ filename: ECHO_WORKER_PATH, threads: 2 });
    cleanups.push(() => pool.close({ force: true }));
    const port = new CompletionPort();
    cleanups.push(() => port.close({ drainMs: 0 }));
    const listener = await port.listen({ host: '127.0.0.1', port: 0, codec: lengthPrefixed() }, jobPoolHandler(pool));
    const COUNT = 8000;
    const PAD = 1016; // 1 KiB frames
    const c = await client(listener.port);
    c.socket.pause(); // do not read the replies yet
    c.socket.write(burst(COUNT, PAD, 3));
    // Let the server run until it stops making progress (its reader is paused).
    let last = -1;
    let since = Date.now();
    await eventually(() => {
      const done = pool.stats().completed;
      if (done !== last) {
        last = done;
        since = Date.now();
      }
      return done > 0 && Date.now() - since > 300;
    });
    const stalledAt = pool.stats().completed;
    expect(stalledAt).toBeLessThan(COUNT);
    // Without the pause the queue would grow to the whole backlog (8 MiB, then an overflow close).
    expect(port.stats().queuedBytesPeak).toBeLessThan(1024 * 1024);
    c.socket.resume();
    await eventually(() => c.frames.length === COUNT);
    expect(c.frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(c.closed).toBe(false);
  }, 60_000);

  it('a peer that half-closes after its frames still gets every reply, then the close', async () => {
    const pool = new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads: 2,
      workerData: { costUs: 2000 },
    });
    cleanups.push(() => pool.close({ force: true }));
    const port = new CompletionPort();
    cleanups.push(() => port.close({ drainMs: 0 }));
    const listener = await port.listen({ host: '127.0.0.1', port: 0, codec: lengthPrefixed() }, jobPoolHandler(pool));
    const COUNT = 50;
    const c = await client(listener.port);
    c.socket.end(burst(COUNT, 0, 4)); // frames, then FIN while the jobs are still running
    await eventually(() => c.closed);
    expect(c.frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(pool.stats().cancelled).toBe(0);
  }, 30_000);

  it('a bad frame after good ones: every reply to the good frames still arrives, then the close', async () => {
    const pool = new JobPool<Uint8Array, Uint8Array, number>({
      filename: ECHO_WORKER_PATH,
      threads: 2,
      workerData: { costUs: 2000 },
    });
    cleanups.push(() => pool.close({ force: true }));
    const port = new CompletionPort();
    cleanups.push(() => port.close({ drainMs: 0 }));
    const reasons: string[] = [];
    const handler = jobPoolHandler(pool);
    const listener = await port.listen(
      { host: '127.0.0.1', port: 0, codec: lengthPrefixed({ maxFrameLength: 1024 }) },
      {
        ...handler,
        onClose: (conn, reason) => {
          handler.onClose(conn);
          reasons.push(reason);
        },
      },
    );
    const COUNT = 50;
    const c = await client(listener.port);
    const tooLong = Buffer.alloc(4);
    tooLong.writeUInt32BE(1 << 30, 0); // announces 1 GiB: refused from the header alone
    c.socket.write(Buffer.concat([burst(COUNT, 0, 5), tooLong])); // jobs still running at the error
    await eventually(() => c.closed);
    expect(c.frames.map((f) => f.readUInt32BE(0))).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(reasons).toEqual(['frame-too-long']);
    expect(pool.stats().cancelled).toBe(0);
  }, 30_000);
});

