import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, closeRecorder, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('graceful shutdown', () => {
  it('close({ drainMs }) finishes received frames, delivers queued replies, then ends every socket', async () => {
    const port = new CompletionPort();
    const rec = closeRecorder();
    let received = 0;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      async onMessage(conn, f) {
        received++;
        await new Promise((r) => setTimeout(r, 30));
        conn.send(f);
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    for (let i = 0; i < 5; i++) c.send(`r${i}`);
    await waitFor(() => received >= 1);
    const t0 = Date.now();
    await port.close({ drainMs: 5000 });
    expect(Date.now() - t0).toBeLessThan(4000);
    await c.waitClosed();
    expect(c.frames.map((f) => f.toString())).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(c.ended).toBe(true);
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'shutdown' })]);
    await expect(port.listen({ codec: lengthPrefixed() }, {})).rejects.toMatchObject({ code: 'IOCP_ERR_PORT_CLOSED' });
    expect(port.send(rec.closes[0]!.handle, Buffer.from('x'))).toBe(false);
  });

  it('drops what is left at the drain deadline', async () => {
    const port = new CompletionPort();
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage: () => new Promise(() => {}), // never settles
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('stuck');
    await waitFor(() => port.stats().messagesIn === 1);
    const t0 = Date.now();
    await port.close({ drainMs: 150 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await c.waitClosed();
    expect(port.stats().connections.current).toBe(0);
    expect(port.stats().connections.closed.shutdown).toBe(1);
  });
});

describe('peer half-close', () => {
  it('without onEnd, replies queued before the FIN are flushed, then the connection closes (peer-closed)', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, { onMessage: (c, f) => void c.send(f), onClose: rec.onClose });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('a');
    c.send('b');
    c.socket.end();
    await c.waitClosed();
    expect(c.frames.map((f) => f.toString())).toEqual(['a', 'b']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]!.reason).toBe('peer-closed');
  });

  it('onEnd returning a promise keeps the write side open for work still in flight', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const inflight = new Map<Connection, Promise<void>[]>();
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        // work that finishes after the handler returned (like a worker job)
        const copy = Buffer.from(f);
        const job = new Promise<void>((r) => setTimeout(r, 50)).then(() => void conn.send(copy));
        const list = inflight.get(conn) ?? [];
        list.push(job);
        inflight.set(conn, list);
      },
      async onEnd(conn) {
        await Promise.all(inflight.get(conn) ?? []);
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    for (let i = 0; i < 5; i++) c.send(`job${i}`);
    c.socket.end();
    await c.waitClosed();
    expect(c.frames.map((f) => f.toString())).toEqual(['job0', 'job1', 'job2', 'job3', 'job4']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]!.reason).toBe('peer-closed');
  });
});

describe('client reconnect', () => {
  it('reconnects with backoff after the server restarts on the same port; same handler, new handle', async () => {
    const codec = lengthPrefixed();
    const server1 = new CompletionPort();
    const echo = { onMessage: (c: Connection, f: Buffer) => void c.send(f) };
    const l = await server1.listen({ codec }, echo);
    const client = cleanup.port(new CompletionPort());
    const opened: number[] = [];
    const got: string[] = [];
    const rec = closeRecorder();
    const first = await client.connect({ host: '127.0.0.1', port: l.port, codec, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } }, {
      onOpen(conn) {
        opened.push(conn.handle);
        conn.send(Buffer.from(`hello ${opened.length}`));
      },
      onMessage(_c, f) {
        got.push(f.toString());
      },
      onClose: rec.onClose,
    });
    await waitFor(() => got.length === 1);
    await server1.close({ drainMs: 100 });
    await waitFor(() => rec.closes.length >= 1);
    // a few attempts fail while nothing listens
    await waitFor(() => rec.closes.some((c) => c.reason === 'connect-failed'), 5000, 'failed attempt');
    const server2 = cleanup.port(new CompletionPort());
    await server2.listen({ port: l.port, codec }, echo);
    await waitFor(() => got.length === 2, 5000, 'second echo');
    expect(got).toEqual(['hello 1', 'hello 2']);
    expect(opened).toHaveLength(2);
    expect(opened[1]).not.toBe(first.handle);
    expect(client.stats().connections.connected).toBe(2);
  });

  it('gives up after maxAttempts with the last coded error', async () => {
    const probe = new CompletionPort();
    const l = await probe.listen({ codec: lengthPrefixed() }, {});
    const free = l.port;
    await probe.close();
    const client = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    await expect(
      client.connect({ host: '127.0.0.1', port: free, codec: lengthPrefixed(), reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 } }, { onClose: rec.onClose }),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_CONNECT_REFUSED' });
    expect(rec.closes).toHaveLength(4);
  });

  it('connect timeout fails with IOCP_ERR_CONNECT_TIMEOUT', async () => {
    // Only loopback is allowed, where TCP connects at once; so time out the TLS handshake of a
    // server that accepts TCP and never answers — connectTimeoutMs covers both phases.
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = createServer((s) => void held.push(s)); // accepts TCP, never speaks TLS
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const portNo = (silent.address() as { port: number }).port;
    try {
      const client = cleanup.port(new CompletionPort());
      const t0 = Date.now();
      await expect(
        client.connect({ host: '127.0.0.1', port: portNo, codec: lengthPrefixed(), tls: { rejectUnauthorized: false }, connectTimeoutMs: 150 }, {}),
      ).rejects.toMatchObject({ code: 'IOCP_ERR_CONNECT_TIMEOUT' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});
