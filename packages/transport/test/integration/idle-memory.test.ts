import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { ConnectionImpl } from '../../src/internal/connection-impl.js';
import { Cleanup, frame, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** closeMs 200 makes the watchdog sweep every 50 ms (a quarter of the shortest deadline). */
const FAST_SWEEP = { timeouts: { closeMs: 200 } };
const SWEEP_MS = 50;

const held = (conn: Connection) => ConnectionImpl.held(conn as ConnectionImpl);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** V8's own test of "small integer, not a boxed double" (vitest runs with --allow-natives-syntax). */
const isSmi = new Function('x', 'return %IsSmi(x)') as (x: unknown) => boolean;

describe('memory of an idle connection', () => {
  it('a large handle on one connection does not box the handles of the others', async () => {
    const port = cleanup.port(new CompletionPort(FAST_SWEEP));
    const conns: Connection[] = [];
    const l = await port.listen({ codec: lengthPrefixed() }, { onOpen: (c) => void conns.push(c) });
    cleanup.socket(await plainClient(l.port));
    await waitFor(() => conns.length === 1);
    const first = conns[0] as ConnectionImpl;
    const own = first.handle;
    // What a slot reused 2048 times gives: a handle above the small-integer range.
    first.handle = 2 ** 40 + own;
    try {
      cleanup.socket(await plainClient(l.port));
      await waitFor(() => conns.length === 2);
      expect(isSmi(conns[1]!.handle)).toBe(true);
    } finally {
      first.handle = own; // the port frees the slot by this handle on close
    }
  });

  it('a connection that never sent anything holds no reader, decoder or send queue', async () => {
    const port = cleanup.port(new CompletionPort(FAST_SWEEP));
    let conn: Connection | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, { onOpen: (c) => void (conn = c) });
    cleanup.socket(await plainClient(l.port));
    await waitFor(() => conn !== undefined);
    expect(held(conn!)).toEqual({ reader: false, decoder: false, sendQueue: false });
  });

  it('after a quiet sweep the reader and the send queue are gone; the next frame brings them back', async () => {
    const port = cleanup.port(new CompletionPort(FAST_SWEEP));
    let conn: Connection | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(c, f) {
        conn = c;
        c.send(f);
      },
    });
    const client = cleanup.socket(await plainClient(l.port));
    client.send('one');
    await client.waitFrames(1);
    expect(held(conn!)).toMatchObject({ reader: true, decoder: true });
    await waitFor(() => !held(conn!).reader && !held(conn!).sendQueue, 5000, 'reader and send queue released');
    // The decoder is the stream's (one per stream, kept); the reader is made again on data.
    expect(held(conn!).decoder).toBe(true);
    client.send('two');
    const frames = await client.waitFrames(2);
    expect(frames.map((f) => f.toString())).toEqual(['one', 'two']);
  });

  it('a partial frame keeps its reader across quiet sweeps and completes intact', async () => {
    const port = cleanup.port(new CompletionPort(FAST_SWEEP));
    let conn: Connection | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onOpen: (c) => void (conn = c),
      onMessage: (c, f) => void c.send(f),
    });
    const client = cleanup.socket(await plainClient(l.port));
    const wire = frame('split across a quiet pause');
    client.socket.write(wire.subarray(0, 9));
    await waitFor(() => conn !== undefined && held(conn).reader);
    await sleep(6 * SWEEP_MS);
    expect(held(conn!).reader).toBe(true);
    client.socket.write(wire.subarray(9));
    const frames = await client.waitFrames(1);
    expect(frames[0]!.toString()).toBe('split across a quiet pause');
  });

  it('an idle connection keeps no received chunk alive', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const port = cleanup.port(new CompletionPort(FAST_SWEEP));
    let chunk: WeakRef<ArrayBufferLike> | undefined;
    let conn: Connection | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(c, f) {
        conn = c;
        chunk = new WeakRef(f.buffer);
        c.send(f);
      },
    });
    const client = cleanup.socket(await plainClient(l.port));
    client.send(Buffer.alloc(64, 1));
    await client.waitFrames(1);
    await waitFor(() => !held(conn!).reader && !held(conn!).sendQueue, 5000, 'reader and send queue released');
    for (let i = 0; i < 10 && chunk!.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc!();
    }
    expect(chunk!.deref()).toBeUndefined();
  });
});
