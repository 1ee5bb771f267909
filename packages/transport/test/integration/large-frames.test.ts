import { FrameParts, lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort } from '../../src/index.js';
import { Cleanup, plainClient } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('large frames over loopback', () => {
  it('onMessageParts gets frames that span reads as views; sendParts echoes them byte for byte, pipelined, in order', async () => {
    const port = cleanup.port(new CompletionPort({ sendQueue: { maxBytes: 16 * 1024 * 1024 } }));
    const kinds: string[] = [];
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, frame) {
        kinds.push('buffer');
        conn.send(frame);
      },
      onMessageParts(conn, frame) {
        kinds.push('parts');
        expect(frame).toBeInstanceOf(FrameParts);
        expect(frame.parts.length).toBeGreaterThan(1);
        conn.sendParts(frame);
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    const frames = [pattern(1024 * 1024, 1), pattern(10, 2), pattern(700_000, 3), pattern(1024 * 1024 + 3, 4)];
    for (const f of frames) c.send(f);
    const got = await c.waitFrames(frames.length, 15_000);
    for (let i = 0; i < frames.length; i++) expect(got[i]!.equals(frames[i]!)).toBe(true);
    expect(kinds.filter((k) => k === 'parts').length).toBeGreaterThanOrEqual(3);
    expect(port.stats().messagesIn).toBe(frames.length);
    expect(port.stats().messagesOut).toBe(frames.length);
  });

  it('a handler without onMessageParts still gets every large frame as one Buffer', async () => {
    const port = cleanup.port(new CompletionPort());
    const l = await port.listen({ codec: lengthPrefixed() }, {
      onMessage(conn, frame) {
        expect(Buffer.isBuffer(frame)).toBe(true);
        conn.send(frame);
      },
    });
    const c = cleanup.socket(await plainClient(l.port));
    const big = pattern(2 * 1024 * 1024, 9);
    c.send(big);
    const got = await c.waitFrames(1, 15_000);
    expect(got[0]!.equals(big)).toBe(true);
  });
});
