import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection, type Handler, type PortOptions } from '../../src/index.js';
import { Cleanup, closeRecorder, frame, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MiB = 1024 * 1024;
/** Most the never-reading peer writes; it stops much earlier, when the server closes it. */
const WRITE_CAP = 256 * MiB;

/** The echo handler of apps/echo-server: pause reading while the reply queue is above the high watermark. */
function echoHandler(onClose: Handler['onClose'], paused: Map<number, number>): Handler {
  return {
    onMessage(conn, f) {
      conn.send(f);
      if (!conn.writable) {
        if (!paused.has(conn.handle)) paused.set(conn.handle, Date.now());
        conn.pause();
      }
    },
    onDrain(conn) {
      conn.resume();
    },
    onClose,
  };
}

/** A peer that writes 64 KiB frames (respecting its own backpressure) and never reads. */
async function neverReadingPeer(port: number): Promise<{ socket: Socket; written(): number; done: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.pause(); // reads nothing (beyond what fills the stream's own small buffer)
  let written = 0;
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  const payload = frame(Buffer.alloc(64 * 1024 - 4, 0x61));
  const done = (async () => {
    while (!closed && written < WRITE_CAP) {
      written += payload.length;
      if (!socket.write(payload)) {
        // Waits for the server to read again, or to close us.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
  })();
  return { socket, written: () => written, done };
}

async function stalledServer(options: PortOptions) {
  const port = cleanup.port(new CompletionPort(options));
  const rec = closeRecorder();
  const paused = new Map<number, number>();
  const l = await port.listen({ codec: lengthPrefixed() }, echoHandler(rec.onClose, paused));
  return { port, rec, paused, l };
}

describe('a peer that sends but never reads', () => {
  it('is closed with write-timeout; the queue stays bounded and another client keeps echoing', async () => {
    const maxBytes = 4 * MiB;
    const { port, rec, paused, l } = await stalledServer({ timeouts: { writeStallMs: 300 }, sendQueue: { maxBytes } });
    const other = cleanup.socket(await plainClient(l.port));
    const peer = await neverReadingPeer(l.port);
    cleanup.socket(peer);
    await waitFor(() => paused.size === 1, 10_000, 'the echo to pause the never-reading peer');
    // Meanwhile the other client is served as usual.
    for (let i = 0; i < 5; i++) {
      other.send(`ping ${i}`);
      await other.waitFrames(i + 1);
    }
    await waitFor(() => rec.closes.length === 1, 10_000, 'the stalled connection to close');
    const closedAt = Date.now();
    await peer.done;
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'write-timeout', code: 'IOCP_ERR_WRITE_TIMEOUT' })]);
    // Closed because of the timeout (an upper bound on a loaded machine), and the peer stopped
    // writing long before its cap.
    expect(closedAt - paused.values().next().value!).toBeLessThan(5000);
    expect(peer.written()).toBeLessThan(WRITE_CAP);
    const s = port.stats();
    expect(s.connectionQueuedBytesPeak).toBeLessThanOrEqual(maxBytes);
    expect(s.connections.closed['send-queue-overflow']).toBeUndefined();
    expect(s.connections.closed['write-timeout']).toBe(1);
    other.send('after');
    expect((await other.waitFrames(6))[5]!.toString()).toBe('after');
    expect(other.closed).toBe(false);
  });

  it('with only idleMs it is closed with idle-timeout: pausing because the peer does not read is not waiting on the app', async () => {
    const { port, rec, paused, l } = await stalledServer({ timeouts: { idleMs: 300 } });
    const peer = await neverReadingPeer(l.port);
    cleanup.socket(peer);
    await waitFor(() => paused.size === 1, 10_000, 'the echo to pause the never-reading peer');
    await waitFor(() => rec.closes.length === 1, 10_000, 'the stalled connection to close');
    await peer.done;
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'idle-timeout', code: 'IOCP_ERR_IDLE_TIMEOUT' })]);
    expect(peer.written()).toBeLessThan(WRITE_CAP);
    expect(port.stats().connectionQueuedBytesPeak).toBeLessThanOrEqual(4 * MiB);
  });

  it('a connection paused by the app with a handler promise pending (queue below the watermark) is not idle', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { idleMs: 100 } }));
    const rec = closeRecorder();
    let released: (() => void) | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn: Connection, f) {
        conn.pause();
        return new Promise<void>((resolve) => {
          released = () => {
            conn.send(f);
            conn.resume();
            resolve();
          };
        });
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('slow');
    await waitFor(() => released !== undefined, 5000, 'the handler to start');
    // Ten idle periods with the app busy and paused: still open.
    await new Promise((r) => setTimeout(r, 1000));
    expect(rec.closes).toEqual([]);
    expect(c.closed).toBe(false);
    released!();
    expect((await c.waitFrames(1))[0]!.toString()).toBe('slow');
    // Once the app is done, plain idleness closes it as before.
    await c.waitClosed(5000);
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'idle-timeout' })]);
  });
});
