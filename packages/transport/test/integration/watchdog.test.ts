import { lengthPrefixed, raw } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, closeRecorder, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('watchdog', () => {
  it('first-data timeout closes a silent peer but not one that spoke', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { firstDataMs: 150 } }));
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, { onClose: rec.onClose, onMessage: (c, f) => void c.send(f) });
    const t0 = Date.now();
    const silent = cleanup.socket(await plainClient(l.port));
    const talker = cleanup.socket(await plainClient(l.port));
    talker.send('hi');
    await talker.waitFrames(1);
    await silent.waitClosed(5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // never early
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'first-data-timeout', code: 'IOCP_ERR_FIRST_DATA_TIMEOUT' })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(talker.closed).toBe(false);
    expect(port.stats().connections.closed['first-data-timeout']).toBe(1);
  });

  it('idle timeout closes after no reads and no write progress; write progress keeps a connection alive', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { idleMs: 400 } }));
    const rec = closeRecorder();
    const streams = new Set<Connection>();
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        if (f.toString() === 'stream') streams.add(conn);
      },
      onClose: rec.onClose,
    });
    const idle = cleanup.socket(await plainClient(l.port));
    const listener = cleanup.socket(await plainClient(l.port));
    idle.send('once');
    listener.send('stream');
    await waitFor(() => streams.size === 1);
    // The server writes to `listener` every 40 ms; the peer never sends again.
    const timer = setInterval(() => {
      for (const c of streams) c.send(Buffer.from('tick'));
    }, 40);
    try {
      await idle.waitClosed(5000);
      await new Promise((r) => setTimeout(r, 500));
      expect(listener.closed).toBe(false);
      expect(listener.frames.length).toBeGreaterThan(5);
    } finally {
      clearInterval(timer);
    }
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'idle-timeout', code: 'IOCP_ERR_IDLE_TIMEOUT' })]);
  });

  it('heartbeat: an echoing peer stays; a silent peer is closed after maxMissed keepalives', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { heartbeat: { intervalMs: 150, maxMissed: 2 } } }));
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, { onClose: rec.onClose });
    const echoing = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    echoing.socket.on('data', (d: Buffer) => echoing.socket.write(d)); // a peer that answers keepalives
    const silent = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    await silent.waitClosed(5000);
    expect(silent.bytes).toBeGreaterThanOrEqual(8); // got two 4-byte empty frames (keepalives)
    expect(silent.bytes % 4).toBe(0);
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'heartbeat-timeout', code: 'IOCP_ERR_HEARTBEAT_TIMEOUT' })]);
    await new Promise((r) => setTimeout(r, 600));
    expect(echoing.closed).toBe(false);
    expect(echoing.bytes).toBeGreaterThanOrEqual(8);
  });

  it('a handler waiting on slow work is not idle', async () => {
    const port = cleanup.port(new CompletionPort({ timeouts: { idleMs: 100 } }));
    const rec = closeRecorder();
    const l = await port.listen({ codec: raw() }, {
      async onMessage(conn, f) {
        await new Promise((r) => setTimeout(r, 400));
        conn.send(f);
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    c.socket.write('slow');
    await waitFor(() => c.bytes === 4, 5000);
    await c.waitClosed(5000);
    expect(rec.closes[0]!.reason).toBe('idle-timeout');
  });

  it('heartbeat on the client side: an echo server keeps it alive, a mute server gets heartbeat-timeout', async () => {
    const server = cleanup.port(new CompletionPort());
    const echo = await server.listen({ codec: lengthPrefixed() }, { onMessage: (c, f) => void c.send(f) });
    const mute = await server.listen({ codec: lengthPrefixed() }, {});
    const client = cleanup.port(new CompletionPort({ timeouts: { heartbeat: { intervalMs: 150, maxMissed: 2 } } }));
    const rec = closeRecorder();
    const alive = await client.connect({ host: '127.0.0.1', port: echo.port, codec: lengthPrefixed() }, { onClose: rec.onClose });
    await client.connect({ host: '127.0.0.1', port: mute.port, codec: lengthPrefixed() }, { onClose: rec.onClose });
    await waitFor(() => rec.closes.length === 1, 5000, 'mute server close');
    expect(rec.closes[0]).toMatchObject({ reason: 'heartbeat-timeout' });
    expect(alive.open).toBe(true);
    expect(server.stats().messagesIn).toBeGreaterThanOrEqual(2); // keepalives reached the echo server as empty frames
  });
});
