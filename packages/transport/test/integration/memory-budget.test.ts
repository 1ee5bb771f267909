import { type Socket, connect } from 'node:net';
import { lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort } from '../../src/index.js';
import { PRESSURE_MS } from '../../src/internal/memory-budget.js';
import { Cleanup, closeRecorder, expectClosedByServer, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MIB = 1024 * 1024;

/** A peer that announces a `announce`-byte frame and sends `send` bytes of it, then waits. */
async function partialFrame(port: number, announce: number, send: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  cleanup.socket({ socket: s });
  s.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  const head = Buffer.alloc(4);
  head.writeUInt32BE(announce, 0);
  s.write(head);
  s.write(Buffer.alloc(send, 7));
  return s;
}

describe('port-wide memory budget over loopback', () => {
  it('under pressure refuses new peers and pauses the big partial frames, keeps echoing for a healthy peer, then sheds the largest (memory-budget) and accepts again', async () => {
    const budget = 6 * MIB; // soft 4.5 MiB, low 3 MiB
    const rec = closeRecorder();
    const port = cleanup.port(new CompletionPort({ limits: { maxBufferedBytes: budget } }));
    const l = await port.listen(
      { codec: lengthPrefixed({ maxFrameLength: 2 * MIB }) },
      { onMessage: (c, f) => void c.send(f), onClose: rec.onClose },
    );
    const healthy = cleanup.socket(await plainClient(l.port));
    healthy.send('before');
    await healthy.waitFrames(1);

    // Five peers each hold 1 MiB of a 2 MiB frame: 5 MiB, above the soft mark, below the hard one.
    const peers: Socket[] = [];
    for (let i = 0; i < 5; i++) peers.push(await partialFrame(l.port, 2 * MIB, 1 * MIB));
    await waitFor(() => port.stats().memory.pressure, 15_000, 'memory pressure');
    const m = port.stats().memory;
    expect(m.inputBytes).toBeGreaterThanOrEqual(4.5 * MIB);
    expect(m).toMatchObject({ maxBufferedBytes: budget, softMark: 4.5 * MIB, lowMark: 3 * MIB, pressureEvents: 1 });
    expect(m.pausedNow).toBeGreaterThanOrEqual(4); // all big holders are paused (the last may be paused at the next sweep)
    expect(m.bufferedBytes).toBeLessThan(budget);

    // New peers are refused while the pressure lasts; the healthy peer (below the floor) is served.
    await expectClosedByServer(l.port);
    expect(port.stats().connections.refused['memory-budget']).toBeGreaterThanOrEqual(1);
    healthy.send('during');
    await healthy.waitFrames(2);
    expect(healthy.frames[1]!.toString()).toBe('during');

    // The pressure lasts: after PRESSURE_MS the largest holders are closed until below the low mark.
    await waitFor(() => port.stats().memory.sheds >= 2, PRESSURE_MS + 15_000, 'sheds');
    await waitFor(() => !port.stats().memory.pressure, 5000, 'the pressure to end');
    const after = port.stats();
    // The two largest go (about 2 MiB); a third only when the last peer's megabyte had been read
    // in full before the pauses (5 MiB - 2 is not below the 3 MiB low mark then).
    const sheds = after.memory.sheds;
    expect(sheds === 2 || sheds === 3).toBe(true);
    expect(after.memory.shedBytes).toBeGreaterThanOrEqual(2 * MIB);
    expect(after.memory.bufferedBytes).toBeLessThan(after.memory.softMark);
    expect(after.memory.bufferedBytesPeak).toBeLessThan(budget);
    // Counted as closed when the socket has closed (a moment after the shed).
    await waitFor(() => port.stats().connections.closed['memory-budget'] === sheds, 5000, 'closed memory-budget');
    await waitFor(() => rec.closes.filter((c) => c.reason === 'memory-budget').length === sheds, 5000, 'onClose memory-budget');
    for (const c of rec.closes.filter((c) => c.reason === 'memory-budget')) expect(c.code).toBe('IOCP_ERR_MEMORY_BUDGET');
    await waitFor(() => peers.filter((p) => p.destroyed || p.readableEnded).length >= sheds, 5000, 'shed peers to see the close');

    // Pressure over: the two left read again and new peers are accepted and served.
    expect(port.stats().memory.pausedNow).toBe(0);
    const late = cleanup.socket(await plainClient(l.port));
    late.send('after');
    await late.waitFrames(1);
    healthy.send('still');
    await healthy.waitFrames(3);
    expect(port.stats().connections.closed['memory-budget']).toBe(sheds);
  });

  it('sheds at the hard mark at once: a peer whose replies pile up (it never reads) goes first', async () => {
    const budget = 4 * MIB;
    const port = cleanup.port(new CompletionPort({ limits: { maxBufferedBytes: budget }, sendQueue: { maxBytes: 64 * MIB } }));
    // A handler that ignores backpressure: every frame is answered 8 times.
    const l = await port.listen(
      { codec: lengthPrefixed({ maxFrameLength: 1 * MIB }) },
      {
        onMessage: (c, f) => {
          for (let i = 0; i < 8; i++) c.send(f);
        },
      },
    );
    const healthy = cleanup.socket(await plainClient(l.port));
    const hog = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    hog.socket.pause(); // reads nothing
    for (let i = 0; i < 8; i++) hog.send(Buffer.alloc(256 * 1024, i));
    await waitFor(() => port.stats().memory.sheds >= 1, 15_000, 'a shed');
    hog.socket.resume(); // a paused socket would not notice the close
    await hog.waitClosed(5000);
    await waitFor(() => port.stats().connections.closed['memory-budget'] === 1, 5000, 'closed memory-budget');
    const s = port.stats();
    expect(s.memory.bufferedBytes).toBeLessThan(s.memory.lowMark);
    healthy.send('ok');
    await healthy.waitFrames(8);
  });
});
