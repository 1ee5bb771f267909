import fc from 'fast-check';
import { lengthPrefixed } from '@iocp/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, type PlainClient, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
let port: CompletionPort;
const servers: Connection[] = [];
const clients: PlainClient[] = [];

beforeAll(async () => {
  port = cleanup.port(new CompletionPort({ copyThreshold: 256, sendQueue: { maxBytes: 64 * 1024 * 1024 } }));
  const l = await port.listen({ codec: lengthPrefixed() }, {
    onOpen(conn) {
      servers.push(conn);
    },
  });
  for (let i = 0; i < 3; i++) clients.push(cleanup.socket(await plainClient(l.port)));
  await waitFor(() => servers.length === 3);
});
afterAll(() => cleanup.run());

/** Deterministic content for frame `n` of length `len`. */
function payload(n: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = (n * 31 + i) & 0xff;
  return b;
}

describe('send path (property)', () => {
  it('any interleaving of small and large sends over several connections and turns arrives intact and in order, also while readers stall', async () => {
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ conn: fc.nat(2), len: fc.oneof(fc.nat(300), fc.integer({ min: 0, max: 70_000 })) }), { maxLength: 40 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (turns) => {
          const expected: Buffer[][] = [[], [], []];
          const base = clients.map((c) => c.frames.length);
          // Readers stall while we send, so writes stay queued (asynchronous) across turns.
          for (const c of clients) c.socket.pause();
          for (const turn of turns) {
            for (const op of turn) {
              const p = payload(serial++, op.len);
              expected[op.conn]!.push(p);
              expect(servers[op.conn]!.send(p)).toBe(true);
            }
            await new Promise((r) => setImmediate(r)); // next turn
          }
          for (const c of clients) c.socket.resume();
          await waitFor(() => clients.every((c, i) => c.frames.length === base[i]! + expected[i]!.length), 10_000, 'all frames');
          clients.forEach((c, i) => {
            const got = c.frames.slice(base[i]);
            expect(got.length).toBe(expected[i]!.length);
            got.forEach((f, j) => expect(f.equals(expected[i]![j]!)).toBe(true));
          });
        },
      ),
      { numRuns: 25 },
    );
    expect(port.stats().connections.current).toBe(3);
  });

  it('small frames queued behind a stalled write are not overwritten by later turns (pooled slab pinning)', async () => {
    const c = clients[0]!;
    const server = servers[0]!;
    const base = c.frames.length;
    const expected: Buffer[] = [];
    c.socket.pause();
    // Fill the socket buffers so the following writes stay queued in the socket.
    for (let i = 0; i < 64; i++) {
      const big = payload(100_000 + i, 200_000);
      expected.push(big);
      server.send(big);
    }
    for (let turn = 0; turn < 20; turn++) {
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 50; i++) {
        const small = payload(turn * 1000 + i, 40 + (i % 7));
        expected.push(small);
        server.send(small);
      }
    }
    expect(server.queuedBytes).toBeGreaterThan(0);
    c.socket.resume();
    await waitFor(() => c.frames.length === base + expected.length, 15_000, 'all frames');
    const got = c.frames.slice(base);
    got.forEach((f, j) => expect(f.equals(expected[j]!)).toBe(true));
  });
});
