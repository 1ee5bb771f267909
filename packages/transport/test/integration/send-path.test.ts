import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, closeRecorder, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('send path', () => {
  it('coalesces all sends of one turn (below the high watermark) into one write per connection', async () => {
    // Reaching the high watermark writes at once (see send-queue.test.ts); keep this turn below it.
    const port = cleanup.port(new CompletionPort({ sendQueue: { highWaterMark: 1024 * 1024, lowWaterMark: 16 * 1024 } }));
    let server: Connection | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onOpen(conn) {
        server = conn;
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    await waitFor(() => server !== undefined);
    const sock = (server as unknown as { socket: import('node:net').Socket }).socket;
    let writes = 0;
    let writevs = 0;
    const w = sock._write.bind(sock);
    const wv = sock._writev!.bind(sock);
    sock._write = (...args: Parameters<typeof sock._write>) => {
      if ((args[0] as Buffer).length > 0) writes++; // an empty write only asks for a completion callback
      return w(...args);
    };
    sock._writev = (...args: Parameters<NonNullable<typeof sock._writev>>) => {
      writevs++;
      return wv(...args);
    };
    const before = port.stats().writeCalls;
    // 200 small frames and two large ones (own buffers, prefix only copied) in one turn.
    const big = Buffer.alloc(100_000, 7);
    for (let i = 0; i < 100; i++) server!.send(Buffer.from(`s${i}`));
    server!.send(big);
    for (let i = 100; i < 200; i++) server!.send(Buffer.from(`s${i}`));
    server!.send(big);
    const frames = await c.waitFrames(202);
    expect(port.stats().writeCalls - before).toBe(1);
    expect(writes + writevs).toBe(1);
    const text = frames.filter((f) => f.length < 10).map((f) => f.toString());
    expect(text).toEqual(Array.from({ length: 200 }, (_, i) => `s${i}`));
    expect(frames[100]!.equals(big)).toBe(true);
    expect(frames[201]!.equals(big)).toBe(true);
  });

  it('a slow reader never queues more than the cap, is closed with send-queue-overflow, and others keep echoing', async () => {
    const maxBytes = 256 * 1024;
    const port = cleanup.port(new CompletionPort({ sendQueue: { maxBytes, highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024 } }));
    const rec = closeRecorder();
    let maxSeen = 0;
    let writableFalse = false;
    const l = await port.listen({ codec: lengthPrefixed({ maxFrameLength: 64 * 1024 }) }, {
      onMessage(conn, f) {
        if (f.toString() === 'flood') {
          const chunk = Buffer.alloc(16 * 1024, 1);
          const pump = () => {
            for (let i = 0; i < 8; i++) {
              if (!conn.send(chunk)) return;
              maxSeen = Math.max(maxSeen, conn.queuedBytes);
              if (!conn.writable) writableFalse = true;
            }
            setImmediate(pump);
          };
          pump();
          return;
        }
        conn.send(f);
      },
      onClose: rec.onClose,
    });
    const slow = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    slow.socket.pause(); // never reads
    const other = cleanup.socket(await plainClient(l.port));
    slow.send('flood');
    let echoes = 0;
    const echoing = (async () => {
      while (!rec.closes.some((c) => c.reason === 'send-queue-overflow')) {
        other.send(`e${echoes}`);
        await other.waitFrames(echoes + 1);
        echoes++;
      }
    })();
    await waitFor(() => rec.closes.some((c) => c.reason === 'send-queue-overflow'), 15_000, 'overflow close');
    await echoing;
    expect(rec.closes[0]).toMatchObject({ reason: 'send-queue-overflow', code: 'IOCP_ERR_SEND_QUEUE_OVERFLOW' });
    expect(maxSeen).toBeLessThanOrEqual(maxBytes);
    expect(port.stats().connectionQueuedBytesPeak).toBeLessThanOrEqual(maxBytes);
    expect(writableFalse).toBe(true);
    expect(echoes).toBeGreaterThan(0);
    other.send('after');
    await other.waitFrames(echoes + 1);
    expect(port.stats().connections.current).toBe(1);
  });

  it('writable turns false when the kernel cannot take more, and onDrain fires once the peer reads', async () => {
    // 64 MiB to a peer that is not reading: more than loopback socket buffers hold, so the
    // socket keeps some of it and the connection turns unwritable.
    const total = 64;
    const port = cleanup.port(
      new CompletionPort({ sendQueue: { highWaterMark: 32 * 1024, lowWaterMark: 8 * 1024, maxBytes: (total + 1) * 1024 * 1024 } }),
    );
    const events: string[] = [];
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn) {
        const big = Buffer.alloc(1024 * 1024, 2);
        for (let i = 0; i < total; i++) conn.send(big);
        events.push(`writable:${conn.writable}`);
      },
      onDrain(conn) {
        events.push(`drain:${conn.writable}`);
      },
    });
    const c = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    c.socket.pause();
    c.send('go');
    await waitFor(() => events.length === 1);
    expect(events).toEqual(['writable:false']);
    c.socket.resume();
    await waitFor(() => c.bytes === total * (4 + 1024 * 1024), 20_000, 'all bytes');
    await waitFor(() => events.length === 2);
    expect(events).toEqual(['writable:false', 'drain:true']);
  });

  it('a max-size frame can be echoed even when maxBytes is set lower than the codec limit', async () => {
    const port = cleanup.port(new CompletionPort({ sendQueue: { maxBytes: 1024 } }));
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed({ maxFrameLength: 200_000 }) }, {
      onMessage(conn, f) {
        conn.send(f);
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    const big = Buffer.alloc(200_000, 3);
    c.send(big);
    const frames = await c.waitFrames(1, 10_000);
    expect(frames[0]!.equals(big)).toBe(true);
    expect(rec.closes).toEqual([]);
  });
});
