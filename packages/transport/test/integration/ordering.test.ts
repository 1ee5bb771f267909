import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort } from '../../src/index.js';
import { Cleanup, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ordered dispatch', () => {
  it('keeps order with async handlers of random delay; callbacks of one connection never overlap', async () => {
    const port = cleanup.port(new CompletionPort());
    let active = 0;
    let maxActive = 0;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      async onOpen() {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(20);
        active--;
      },
      async onMessage(conn, f) {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(Math.floor(Math.random() * 8));
        conn.send(f);
        active--;
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    const n = 60;
    for (let i = 0; i < n; i++) c.send(`m${i}`);
    const frames = await c.waitFrames(n, 15_000);
    expect(frames.map((f) => f.toString())).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect(maxActive).toBe(1);
  });

  it('pauses reading while a handler promise is pending (bounded buffering)', async () => {
    const port = cleanup.port(new CompletionPort());
    let release: (() => void) | undefined;
    let calls = 0;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        calls++;
        if (calls === 1) return new Promise<void>((r) => (release = r));
        conn.send(f);
        return undefined;
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('first');
    await waitFor(() => release !== undefined);
    // While the first handler waits, pump 8 MiB at the server: it must not read it all.
    const big = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 128; i++) c.send(big);
    await sleep(300);
    const readSoFar = port.stats().bytesIn;
    expect(readSoFar).toBeLessThan(4 * 1024 * 1024);
    expect(calls).toBe(1);
    release!();
    await c.waitFrames(128, 20_000);
    expect(port.stats().bytesIn).toBe(4 + 5 + 128 * (4 + 64 * 1024));
  });

  it('app-level pause() stops delivery until resume()', async () => {
    const port = cleanup.port(new CompletionPort());
    const got: string[] = [];
    let paused: { resume(): void } | undefined;
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, f) {
        got.push(f.toString());
        if (got.length === 1) {
          conn.pause();
          paused = conn;
        }
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    c.send('a');
    c.send('b');
    c.send('c');
    await waitFor(() => got.length >= 1);
    await sleep(100);
    expect(got).toEqual(['a']);
    paused!.resume();
    await waitFor(() => got.length === 3);
    expect(got).toEqual(['a', 'b', 'c']);
  });
});
