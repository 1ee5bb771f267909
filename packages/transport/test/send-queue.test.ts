import type { Socket } from 'node:net';
import { FrameParts, lengthPrefixed } from '@iocp/framing';
import { describe, expect, it } from 'vitest';
import { resolvePortOptions } from '../src/internal/options.js';
import { SendQueue, type SendOwner } from '../src/internal/send-queue.js';
import { fakeCore } from './fake-core.js';

/**
 * A socket whose kernel takes up to `room` bytes synchronously; the rest stays in
 * `writableLength` until `complete()` — the two behaviours of a real socket, scripted, so the
 * send path's decisions can be checked without timing.
 */
class ScriptedSocket {
  writes: Buffer[][] = [];
  writableLength = 0;
  destroyed = false;
  private corked = false;
  private batch: Buffer[] = [];
  private callbacks: (() => void)[] = [];
  constructor(public room: number) {}
  cork(): void {
    this.corked = true;
  }
  uncork(): void {
    this.corked = false;
    this.commit();
  }
  write(chunk: Buffer, cb?: () => void): boolean {
    if (chunk.length > 0) this.batch.push(chunk);
    if (cb !== undefined) this.callbacks.push(cb);
    if (!this.corked) this.commit();
    return this.writableLength === 0;
  }
  private commit(): void {
    if (this.batch.length === 0) return;
    const bytes = this.batch.reduce((n, b) => n + b.length, 0);
    this.writes.push(this.batch);
    this.batch = [];
    const taken = Math.min(this.room, bytes);
    this.room -= taken;
    // As in Node: a write the kernel did not finish stays counted whole until its callback.
    if (taken < bytes) this.writableLength += bytes;
  }
  /** The peer read everything: the socket hands the rest to the kernel and calls back. */
  complete(): void {
    this.writableLength = 0;
    const cbs = this.callbacks;
    this.callbacks = [];
    for (const cb of cbs) cb();
  }
}

function setup(room: number, highWaterMark = 64 * 1024) {
  const socket = new ScriptedSocket(room);
  const events: string[] = [];
  const { core, endOfTurn } = fakeCore(
    resolvePortOptions({ sendQueue: { highWaterMark, lowWaterMark: 16 * 1024, maxBytes: 64 * 1024 * 1024 } }),
  );
  const owner: SendOwner = {
    socket: socket as unknown as Socket,
    maxBytes: 64 * 1024 * 1024,
    codecName: 'length-prefixed',
    gone: false,
    wrote: () => events.push('wrote'),
    drained: () => events.push('drained'),
    overflowed: () => events.push('overflowed'),
  };
  const queue = new SendQueue(owner, core, lengthPrefixed().encoder);
  return { socket, queue, events, core, endOfTurn };
}

describe('SendQueue (the send path, against a scripted socket)', () => {
  it('a frame above the high watermark that the kernel takes at once leaves the connection writable', () => {
    // The mechanism behind the pipelined-1-MiB stall: `writable` used to turn false as soon as a
    // turn queued highWaterMark bytes, before the socket was even offered them, so an echo
    // paused reading on every large frame and waited a drain round trip. Writability must be
    // about what the socket could not take.
    const { socket, queue, events } = setup(8 * 1024 * 1024);
    const big = Buffer.alloc(1024 * 1024, 1);
    expect(queue.send(big)).toBe(true);
    expect(queue.aboveHigh).toBe(false);
    expect(queue.queued).toBe(0);
    expect(socket.writes).toHaveLength(1); // written now, not at the end of the turn
    expect(socket.writes[0]!.reduce((n, b) => n + b.length, 0)).toBe(4 + big.length);
    expect(socket.writes[0]![1]).toBe(big); // the frame itself, not a copy
    expect(events).toEqual(['wrote']);
  });

  it('turns unwritable only for bytes the socket kept, and drains when they leave', () => {
    const { socket, queue, events } = setup(256 * 1024);
    const big = Buffer.alloc(1024 * 1024, 2);
    queue.send(big);
    expect(queue.aboveHigh).toBe(true);
    expect(queue.queued).toBe(4 + big.length);
    expect(events).toEqual([]);
    socket.complete();
    expect(queue.aboveHigh).toBe(false);
    expect(queue.queued).toBe(0);
    expect(events).toEqual(['wrote', 'drained']);
  });

  it('keeps coalescing below the high watermark: small frames leave in one write at the end of the turn', () => {
    const { socket, queue, endOfTurn } = setup(8 * 1024 * 1024);
    for (let i = 0; i < 100; i++) queue.send(Buffer.from(`m${i}`));
    expect(socket.writes).toHaveLength(0);
    endOfTurn();
    expect(socket.writes).toHaveLength(1);
    expect(Buffer.concat(socket.writes[0]!).length).toBe(100 * 4 + 10 * 2 + 90 * 3);
  });

  it('sendParts writes the prefix and the parts as they are (no join) and counts one message', () => {
    const { socket, queue, core, endOfTurn } = setup(8 * 1024 * 1024, 4 * 1024 * 1024);
    const a = Buffer.alloc(100_000, 3);
    const b = Buffer.alloc(50_000, 4);
    const c = Buffer.from('tail');
    expect(queue.sendParts(new FrameParts([a, b, c], a.length + b.length + c.length))).toBe(true);
    endOfTurn();
    const wire = socket.writes[0]!;
    expect(wire).toContain(a);
    expect(wire).toContain(b);
    const all = Buffer.concat(wire);
    expect(all.readUInt32BE(0)).toBe(150_004);
    expect(all.subarray(4).equals(Buffer.concat([a, b, c]))).toBe(true);
    expect(core.messagesOut).toBe(1);
  });

  it('a large frame that still follows its own header in memory goes out as one view of the wire bytes', () => {
    const { socket, queue, endOfTurn } = setup(8 * 1024 * 1024);
    const wire = Buffer.alloc(4 + 10_000, 5);
    wire.writeUInt32BE(10_000, 0);
    const received = wire.subarray(4); // what a length-prefixed decoder hands the app
    queue.send(received);
    const other = Buffer.alloc(4 + 10_000, 6); // preceded by bytes that are not its header
    queue.send(other.subarray(4));
    endOfTurn();
    const chunks = socket.writes[0]!;
    expect(chunks[0]!.buffer).toBe(wire.buffer);
    expect(chunks[0]!.byteOffset).toBe(wire.byteOffset);
    expect(chunks[0]!.length).toBe(wire.length);
    const all = Buffer.concat(chunks);
    expect(all.subarray(0, wire.length).equals(wire)).toBe(true);
    expect(all.readUInt32BE(wire.length)).toBe(10_000);
    expect(all.subarray(wire.length + 4).equals(other.subarray(4))).toBe(true);
    expect(all.length).toBe(2 * wire.length);
  });
});
