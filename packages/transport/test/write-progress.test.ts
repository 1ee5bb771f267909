import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { lengthPrefixed } from '@iocp/framing';
import { describe, expect, it } from 'vitest';
import { ConnectionImpl, connectionProfile, nowMs } from '../src/internal/connection-impl.js';
import { resolvePortOptions } from '../src/internal/options.js';
import type { PortTimeouts } from '../src/types.js';
import { fakeCore } from './fake-core.js';

/**
 * A socket whose kernel takes nothing: every write stays in `writableLength` until `complete()`.
 * `_handle.writeQueueSize` is what libuv still holds, as node:net exposes it; the test moves it
 * to script "the kernel took part of a long write".
 */
class StuckSocket extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  readonly _handle = { writeQueueSize: 0 };
  private callbacks: (() => void)[] = [];
  cork(): void {}
  uncork(): void {}
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  write(chunk: Buffer, cb?: () => void): boolean {
    this.writableLength += chunk.length;
    this._handle.writeQueueSize += chunk.length;
    if (cb !== undefined) this.callbacks.push(cb);
    return false;
  }
  /** The peer read everything: the write finishes and calls back. */
  complete(): void {
    this.writableLength = 0;
    this._handle.writeQueueSize = 0;
    for (const cb of this.callbacks.splice(0)) cb();
  }
}

function setup(timeouts: PortTimeouts) {
  const socket = new StuckSocket();
  const { core, endOfTurn } = fakeCore(resolvePortOptions({ timeouts }));
  const conn = new ConnectionImpl(core, socket as unknown as Socket, connectionProfile('server', false, lengthPrefixed(), {}, 1 << 30), 10_000);
  conn.markOpen();
  /** Queue `n` bytes and hand them to the socket (the port's end-of-turn flush). */
  const sendAndFlush = (n: number): void => {
    expect(conn.sendRaw(Buffer.alloc(n))).toBe(true);
    endOfTurn();
  };
  return { socket, conn, sendAndFlush };
}

describe('write progress (watchdog sweeps driven by hand)', () => {
  it('queued bytes the kernel does not take close the connection with write-timeout after writeStallMs', () => {
    const { socket, conn, sendAndFlush } = setup({ writeStallMs: 300 });
    conn.tick(1000); // nothing queued: no clock
    sendAndFlush(1 << 20);
    conn.tick(5000); // first sweep that sees the bytes starts the clock (never early)
    conn.tick(5299);
    expect(conn.open).toBe(true);
    conn.tick(5300);
    expect(conn.closeReason).toBe('write-timeout');
    expect(socket.destroyed).toBe(true);
    expect(conn.queuedBytes).toBe(0); // discarded
  });

  it('the kernel taking part of a long write is progress; queuing more is not', () => {
    const { socket, conn, sendAndFlush } = setup({ writeStallMs: 300 });
    sendAndFlush(8 << 20);
    conn.tick(0);
    for (let t = 200; t <= 2000; t += 200) {
      socket._handle.writeQueueSize -= 512 * 1024; // a slow reader: the same write, still unfinished
      conn.tick(t);
      expect(conn.open).toBe(true);
    }
    // Queuing more while nothing moves does not restart the clock.
    sendAndFlush(1024);
    conn.tick(2200);
    sendAndFlush(1024);
    conn.tick(2299);
    expect(conn.open).toBe(true);
    conn.tick(2300);
    expect(conn.closeReason).toBe('write-timeout');
  });

  it('a finished write restarts the clock, an empty queue stops it', () => {
    const { socket, conn, sendAndFlush } = setup({ writeStallMs: 300 });
    sendAndFlush(1 << 20);
    conn.tick(0);
    conn.tick(250);
    socket.complete(); // the peer read it all
    conn.tick(400);
    conn.tick(10_000); // nothing queued for long: no stall
    expect(conn.open).toBe(true);
    sendAndFlush(1 << 20);
    conn.tick(10_100);
    conn.tick(10_399);
    expect(conn.open).toBe(true);
    conn.tick(10_400);
    expect(conn.closeReason).toBe('write-timeout');
  });

  it('without writeStallMs a stalled queue is left to idleMs', () => {
    const { socket, conn, sendAndFlush } = setup({ idleMs: 1000 });
    socket.emit('data', Buffer.alloc(4)); // the peer spoke (an empty frame)...
    sendAndFlush(1 << 20);
    const t = nowMs();
    conn.tick(t); // ...seen by this sweep; then nothing moves
    conn.tick(t + 999);
    expect(conn.open).toBe(true);
    conn.tick(t + 1000);
    expect(conn.closeReason).toBe('idle-timeout');
  });
});
