import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SLOT = 2 ** 20;

describe('handles', () => {
  it('a stale handle is refused after its slot is reused and never reaches the new peer', async () => {
    const port = cleanup.port(new CompletionPort());
    const opened: Connection[] = [];
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onOpen(conn) {
        opened.push(conn);
      },
    });
    const a = cleanup.socket(await plainClient(l.port));
    await waitFor(() => opened.length === 1);
    const stale = opened[0]!.handle;
    expect(port.send(stale, Buffer.from('to-a'))).toBe(true);
    await a.waitFrames(1);
    a.socket.end();
    await waitFor(() => port.connection(stale) === undefined);

    const b = cleanup.socket(await plainClient(l.port));
    await waitFor(() => opened.length === 2);
    const fresh = opened[1]!.handle;
    expect(fresh % SLOT).toBe(stale % SLOT); // same slot reused...
    expect(fresh).not.toBe(stale); // ...with a new generation
    expect(port.send(stale, Buffer.from('must-not-arrive'))).toBe(false);
    expect(port.connection(stale)).toBeUndefined();
    expect(port.send(fresh, Buffer.from('for-b'))).toBe(true);
    const frames = await b.waitFrames(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(frames.map((f) => f.toString())).toEqual(['for-b']);
  });

  it('port.send works from outside any callback (timers, other connections)', async () => {
    const port = cleanup.port(new CompletionPort());
    const handles: number[] = [];
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onOpen(conn) {
        handles.push(conn.handle);
      },
      onMessage(conn, f) {
        // broadcast to every other connection by handle
        for (const h of handles) if (h !== conn.handle) port.send(h, f);
      },
    });
    const a = cleanup.socket(await plainClient(l.port));
    const b = cleanup.socket(await plainClient(l.port));
    await waitFor(() => handles.length === 2);
    a.send('hi b');
    expect((await b.waitFrames(1))[0]!.toString()).toBe('hi b');
    setTimeout(() => port.send(handles[0]!, Buffer.from('tick')), 10);
    expect((await a.waitFrames(1))[0]!.toString()).toBe('tick');
    expect(port.send(-1, Buffer.from('x'))).toBe(false);
    expect(port.send(1.5, Buffer.from('x'))).toBe(false);
  });
});
