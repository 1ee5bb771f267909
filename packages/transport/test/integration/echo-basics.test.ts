import { connect } from 'node:net';
import { delimiter, lengthPrefixed, raw } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, closeRecorder, expectClosedByServer, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('listeners', () => {
  it('serves IPv4 and IPv6 listeners at once, each with its own handler and codec', async () => {
    const port = cleanup.port(new CompletionPort());
    const v4 = await port.listen({ host: '127.0.0.1', port: 0, codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        conn.send(Buffer.concat([Buffer.from('v4:'), f]));
      },
    });
    const v6 = await port.listen({ host: '::1', port: 0, codec: delimiter({ delimiter: '\n' }) }, {
      onMessage(conn, f) {
        conn.send(Buffer.from(f.toString().toUpperCase()));
      },
    });
    expect(v4.family).toBe('IPv4');
    expect(v6.family).toBe('IPv6');
    expect(v4.address).toBe(`127.0.0.1:${v4.port}`);
    expect(v6.address).toBe(`[::1]:${v6.port}`);
    expect(port.listeners).toHaveLength(2);

    const a = cleanup.socket(await plainClient(v4.port));
    a.send('hello');
    expect((await a.waitFrames(1))[0]!.toString()).toBe('v4:hello');

    const b = connect({ host: '::1', port: v6.port });
    cleanup.socket({ socket: b });
    let text = '';
    b.on('data', (d) => {
      text += d.toString();
    });
    b.write('abc\ndef\n');
    await waitFor(() => text === 'ABC\nDEF\n', 5000, 'v6 delimiter echo');
  });

  it('a listen racing port.close() leaves no listener behind', async () => {
    const port = new CompletionPort();
    const pending = port.listen({ codec: lengthPrefixed() }, {});
    await port.close();
    await expect(pending).rejects.toMatchObject({ code: 'IOCP_ERR_PORT_CLOSED' });
    expect(port.listeners).toHaveLength(0);
  });

  it('rejects a second bind of the same address with IOCP_ERR_LISTEN', async () => {
    const port = cleanup.port(new CompletionPort());
    const l = await port.listen({ codec: lengthPrefixed() }, {});
    await expect(port.listen({ port: l.port, codec: lengthPrefixed() }, {})).rejects.toMatchObject({ code: 'IOCP_ERR_LISTEN' });
  });

  it('validates options with IOCP_ERR_INVALID_OPTION', async () => {
    expect(() => new CompletionPort({ sendQueue: { highWaterMark: 10, lowWaterMark: 20 } })).toThrow(
      expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }),
    );
    expect(() => new CompletionPort({ timeouts: { idleMs: -1 } })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
    const port = cleanup.port(new CompletionPort());
    await expect(port.listen({ codec: undefined as never }, {})).rejects.toMatchObject({ code: 'IOCP_ERR_INVALID_OPTION' });
    await expect(port.connect({ host: '127.0.0.1', port: 0, codec: lengthPrefixed() }, {})).rejects.toMatchObject({
      code: 'IOCP_ERR_INVALID_OPTION',
    });
  });

  it('raw mode echoes bytes for a plain node:net socket', async () => {
    const port = cleanup.port(new CompletionPort());
    const l = await port.listen({ codec: raw() }, {
      onMessage(conn, chunk) {
        conn.send(chunk);
      },
    });
    const s = connect({ host: '127.0.0.1', port: l.port });
    cleanup.socket({ socket: s });
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    const payload = Buffer.alloc(100_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    s.write(payload);
    await waitFor(() => Buffer.concat(parts).length === payload.length, 5000, 'raw echo');
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
  });
});

describe('connections', () => {
  it('client and server of the same port talk; owner survives across callbacks; stats count both sides', async () => {
    const port = cleanup.port(new CompletionPort());
    const codec = lengthPrefixed();
    const seenOwners: unknown[] = [];
    const l = await port.listen({ codec }, {
      onMessage(conn: Connection<{ user: string }>, f) {
        if (conn.owner === undefined) conn.owner = { user: f.toString() };
        else seenOwners.push(conn.owner.user);
        conn.send(f);
      },
    });
    const got: string[] = [];
    const rec = closeRecorder();
    const client = await port.connect({ host: '127.0.0.1', port: l.port, codec }, {
      onMessage(_c, f) {
        got.push(f.toString());
      },
      onClose: rec.onClose,
    });
    expect(client.side).toBe('client');
    expect(client.remotePort).toBe(l.port);
    client.send(Buffer.from('alice'));
    client.send(Buffer.from('x'));
    client.send(Buffer.from('y'));
    await waitFor(() => got.length === 3);
    expect(got).toEqual(['alice', 'x', 'y']);
    expect(seenOwners).toEqual(['alice', 'alice']);
    const s = port.stats();
    expect(s.connections.accepted).toBe(1);
    expect(s.connections.connected).toBe(1);
    expect(s.connections.current).toBe(2);
    expect(s.messagesIn).toBe(6);
    expect(s.messagesOut).toBe(6);
    expect(s.bytesOut).toBe(s.bytesIn);
    client.close();
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]!.reason).toBe('local');
    await waitFor(() => port.stats().connections.current === 0);
    expect(port.stats().connections.closed).toEqual({ local: 1, 'peer-closed': 1 });
  });

  it('a handler exception closes only that connection with handler-error', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        if (f.toString() === 'boom') throw new Error('boom');
        conn.send(f);
      },
      onClose: rec.onClose,
    });
    const bad = cleanup.socket(await plainClient(l.port));
    const good = cleanup.socket(await plainClient(l.port));
    bad.send('boom');
    await bad.waitClosed();
    good.send('still here');
    expect((await good.waitFrames(1))[0]!.toString()).toBe('still here');
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'handler-error', code: 'IOCP_ERR_HANDLER' })]);
    expect(port.stats().connections.current).toBe(1);
  });

  it('an exception in onClose or onAccept is reported as a warning and the port keeps serving', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'IOCP_WARN_CALLBACK') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const port = cleanup.port(new CompletionPort());
      let accepts = 0;
      const l = await port.listen({ codec: lengthPrefixed() }, {
        onAccept() {
          accepts++;
          if (accepts === 2) throw new Error('accept hook broke');
          return true;
        },
        onMessage: (c, f) => void c.send(f),
        onClose() {
          throw new Error('close hook broke');
        },
      });
      const a = cleanup.socket(await plainClient(l.port));
      a.socket.end();
      await a.waitClosed();
      await expectClosedByServer(l.port); // the second accept throws: refused as 'hook'
      const c = cleanup.socket(await plainClient(l.port));
      c.send('alive');
      await c.waitFrames(1);
      await waitFor(() => warnings.length === 2);
      expect(warnings.some((w) => w.includes('close hook broke'))).toBe(true);
      expect(warnings.some((w) => w.includes('accept hook broke'))).toBe(true);
      expect(port.stats().connections.refused).toEqual({ hook: 1 });
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('connect to a closed port rejects with IOCP_ERR_CONNECT_REFUSED and reports connect-failed', async () => {
    const port = cleanup.port(new CompletionPort());
    const l = await port.listen({ codec: lengthPrefixed() }, {});
    const free = l.port;
    await l.close();
    const rec = closeRecorder();
    await expect(port.connect({ host: '127.0.0.1', port: free, codec: lengthPrefixed() }, { onClose: rec.onClose })).rejects.toMatchObject({
      code: 'IOCP_ERR_CONNECT_REFUSED',
    });
    expect(rec.closes).toEqual([expect.objectContaining({ reason: 'connect-failed', code: 'IOCP_ERR_CONNECT_REFUSED' })]);
  });

  it('conn.close() flushes what was queued in the same turn, then ends (reason local)', async () => {
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn) {
        conn.send(Buffer.from('one'));
        conn.send(Buffer.alloc(50_000, 9));
        conn.send(Buffer.from('three'));
        conn.close();
        expect(conn.send(Buffer.from('late'))).toBe(false);
      },
      onClose: rec.onClose,
    });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('go');
    await waitFor(() => c.ended, 5000, 'server FIN');
    expect(c.frames.map((f) => f.length)).toEqual([3, 50_000, 5]);
    c.socket.end();
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]!.reason).toBe('local');
  });

  it('bad client TLS material rejects with IOCP_ERR_CONNECT instead of throwing from a timer', async () => {
    const port = cleanup.port(new CompletionPort());
    await expect(
      port.connect({ host: '127.0.0.1', port: 1, codec: lengthPrefixed(), tls: { cert: 'garbage', key: 'garbage' }, reconnect: { initialDelayMs: 1 } }, {}),
    ).rejects.toMatchObject({ code: 'IOCP_ERR_CONNECT' });
  });

  it('a pending connect is rejected with IOCP_ERR_PORT_CLOSED when the port closes', async () => {
    const { createServer } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const silent = createServer((s) => void held.push(s)); // accepts TCP, never answers TLS
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = new CompletionPort();
      const pending = port.connect(
        { host: '127.0.0.1', port: (silent.address() as { port: number }).port, codec: lengthPrefixed(), tls: { rejectUnauthorized: false } },
        {},
      );
      await waitFor(() => port.stats().connections.current === 1);
      await port.close();
      await expect(pending).rejects.toMatchObject({ code: 'IOCP_ERR_PORT_CLOSED' });
      await expect(port.connect({ host: '127.0.0.1', port: 1, codec: lengthPrefixed() }, {})).rejects.toMatchObject({
        code: 'IOCP_ERR_PORT_CLOSED',
      });
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });
});
