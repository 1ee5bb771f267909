import { type Socket, connect } from 'node:net';
import { type Codec, FrameReader, delimiter, encode, hpSocketPack, lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection, type Handler, type PortOptions } from '../../src/index.js';
import { Cleanup, closeRecorder, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A peer that sends raw bytes and records everything it gets until the connection is gone. */
interface Peer {
  socket: Socket;
  received(): Buffer;
  /** The server's FIN arrived. */
  ended(): boolean;
  /** 'fin' when the server ended the stream cleanly, 'reset' when it was dropped. */
  readonly outcome: Promise<'fin' | 'reset'>;
}

async function peer(port: number): Promise<Peer> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let how: 'fin' | 'reset' = 'reset';
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('end', () => {
    how = 'fin'; // allowHalfOpen is off: our FIN goes back at once
  });
  socket.on('error', () => {
    how = 'reset';
  });
  const outcome = new Promise<'fin' | 'reset'>((resolve) => socket.once('close', () => resolve(how)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanup.socket({ socket });
  return { socket, received: () => Buffer.concat(chunks), ended: () => how === 'fin', outcome };
}

/** The frames in `bytes`, decoded with `codec`, as strings. */
function decodeAll(codec: Codec, bytes: Buffer): string[] {
  const reader = new FrameReader(codec.createDecoder());
  reader.push(bytes);
  const out: string[] = [];
  for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(f.toString());
  return out;
}

function lengthHeader(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** An HP-Socket Pack header: flag in the high 10 bits, body length in the low 22 (little endian). */
function packHeader(flag: number, length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(flag * 0x400000 + length);
  return b;
}

interface Case {
  name: string;
  codec: Codec;
  /** The good request on the wire. */
  good: Buffer;
  /** The bad frame on the wire. */
  bad: Buffer;
  reason: 'frame-too-long' | 'frame-corrupt';
  code: string;
}

const pack = hpSocketPack({ headerFlag: 0x1a });
const lines = delimiter({ delimiter: '\n', maxFrameLength: 64 });
const CASES: Case[] = [
  {
    name: 'lengthPrefixed, oversized header',
    codec: lengthPrefixed({ maxFrameLength: 1024 }),
    good: Buffer.concat([lengthHeader(5), Buffer.from('GET a')]),
    bad: Buffer.concat([lengthHeader(0x7fff_ffff), Buffer.from('junk')]),
    reason: 'frame-too-long',
    code: 'IOCP_ERR_FRAME_TOO_LONG',
  },
  {
    name: 'HP-Socket pack, header with a foreign flag',
    codec: pack,
    good: encode(pack.encoder, Buffer.from('GET a')),
    bad: Buffer.concat([packHeader(0x05, 3), Buffer.from('abc')]),
    reason: 'frame-corrupt',
    code: 'IOCP_ERR_FRAME_CORRUPT',
  },
  {
    name: 'delimiter, unterminated line too long',
    codec: lines,
    good: Buffer.from('GET a\n'),
    bad: Buffer.from('x'.repeat(200)),
    reason: 'frame-too-long',
    code: 'IOCP_ERR_FRAME_TOO_LONG',
  },
  {
    name: 'delimiter, terminated line too long (the reader could skip it: still closed)',
    codec: lines,
    good: Buffer.from('GET a\n'),
    bad: Buffer.from(`${'y'.repeat(100)}\nGET b\n`),
    reason: 'frame-too-long',
    code: 'IOCP_ERR_FRAME_TOO_LONG',
  },
];

/** A request/response server: `re:` + request, and `-ERR <code>` for a bad frame. */
async function server(codec: Codec, opts: { onFrameError?: boolean; options?: PortOptions } = {}) {
  const port = cleanup.port(new CompletionPort(opts.options));
  const rec = closeRecorder();
  const events: string[] = [];
  const handler: Handler = {
    onMessage(conn, f) {
      events.push(`message ${f.toString()}`);
      conn.send(Buffer.from(`re:${f.toString()}`));
    },
    onClose(conn, reason, error) {
      events.push(`close ${reason}`);
      rec.onClose(conn, reason, error);
    },
  };
  if (opts.onFrameError !== false) {
    handler.onFrameError = (conn: Connection, error: Error) => {
      const code = (error as { code?: string }).code;
      events.push(`frame-error ${code}`);
      expect(conn.open).toBe(true);
      expect(conn.send(Buffer.from(`-ERR ${code}`))).toBe(true);
    };
  }
  const l = await port.listen({ codec }, handler);
  return { port, rec, events, l };
}

describe('a good request and a bad frame', () => {
  describe.each(CASES)('$name', (c) => {
    it('in ONE write: the reply, then the onFrameError answer, then FIN; onClose has the framing reason', async () => {
      const { rec, events, l } = await server(c.codec);
      const p = await peer(l.port);
      p.socket.write(Buffer.concat([c.good, c.bad]));
      expect(await p.outcome).toBe('fin');
      expect(decodeAll(c.codec, p.received())).toEqual(['re:GET a', `-ERR ${c.code}`]);
      await waitFor(() => rec.closes.length === 1);
      expect(rec.closes[0]).toMatchObject({ reason: c.reason, code: c.code });
      expect(events).toEqual(['message GET a', `frame-error ${c.code}`, `close ${c.reason}`]);
    });

    it('across two reads (the bad frame completes in the second): same answer, same order', async () => {
      const { rec, events, l } = await server(c.codec);
      const p = await peer(l.port);
      p.socket.write(Buffer.concat([c.good, c.bad.subarray(0, 2)]));
      await waitFor(() => events.length === 1, 5000, 'the good request to be handled');
      p.socket.write(c.bad.subarray(2));
      expect(await p.outcome).toBe('fin');
      expect(decodeAll(c.codec, p.received())).toEqual(['re:GET a', `-ERR ${c.code}`]);
      await waitFor(() => rec.closes.length === 1);
      expect(rec.closes[0]).toMatchObject({ reason: c.reason, code: c.code });
      expect(events).toEqual(['message GET a', `frame-error ${c.code}`, `close ${c.reason}`]);
    });
  });

  it('without onFrameError the good reply is still delivered before the FIN', async () => {
    const c = CASES[0]!;
    const { rec, events, l } = await server(c.codec, { onFrameError: false });
    const p = await peer(l.port);
    p.socket.write(Buffer.concat([c.good, c.bad]));
    expect(await p.outcome).toBe('fin');
    expect(decodeAll(c.codec, p.received())).toEqual(['re:GET a']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-too-long', code: 'IOCP_ERR_FRAME_TOO_LONG' });
    expect(events).toEqual(['message GET a', 'close frame-too-long']);
  });

  it('onFrameError waits for the pending handler of the earlier frame, and its promise holds the close', async () => {
    const codec = lengthPrefixed({ maxFrameLength: 1024 });
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const events: string[] = [];
    let releaseMessage: (() => void) | undefined;
    let releaseError: (() => void) | undefined;
    const l = await port.listen({ codec }, {
      onMessage(conn, f) {
        events.push('message');
        return new Promise<void>((resolve) => {
          releaseMessage = () => {
            conn.send(Buffer.from(`re:${f.toString()}`));
            resolve();
          };
        });
      },
      onFrameError(conn, error) {
        events.push('frame-error');
        return new Promise<void>((resolve) => {
          releaseError = () => {
            conn.send(Buffer.from(`-ERR ${(error as { code?: string }).code}`));
            resolve();
          };
        });
      },
      onClose(conn, reason, error) {
        events.push(`close ${reason}`);
        rec.onClose(conn, reason, error);
      },
    });
    const p = await peer(l.port);
    p.socket.write(Buffer.concat([CASES[0]!.good, CASES[0]!.bad]));
    await waitFor(() => releaseMessage !== undefined, 5000, 'onMessage');
    expect(events).toEqual(['message']); // the bad frame waits behind the pending handler
    releaseMessage!();
    await waitFor(() => releaseError !== undefined, 5000, 'onFrameError');
    expect(events).toEqual(['message', 'frame-error']);
    expect(p.ended()).toBe(false); // the pending onFrameError holds the close
    expect(rec.closes).toEqual([]);
    releaseError!();
    expect(await p.outcome).toBe('fin');
    expect(decodeAll(codec, p.received())).toEqual(['re:GET a', '-ERR IOCP_ERR_FRAME_TOO_LONG']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-too-long', code: 'IOCP_ERR_FRAME_TOO_LONG' });
    expect(events).toEqual(['message', 'frame-error', 'close frame-too-long']);
  });

  it('an onFrameError promise that never settles is bounded by closeMs', async () => {
    const codec = lengthPrefixed({ maxFrameLength: 1024 });
    const port = cleanup.port(new CompletionPort({ timeouts: { closeMs: 300 } }));
    const rec = closeRecorder();
    let settle: (() => void) | undefined;
    const l = await port.listen({ codec }, {
      onMessage: (conn, f) => void conn.send(f),
      onFrameError: () =>
        new Promise<void>((resolve) => {
          settle = resolve;
        }),
      onClose: rec.onClose,
    });
    const p = await peer(l.port);
    const t0 = Date.now();
    p.socket.write(Buffer.concat([CASES[0]!.good, CASES[0]!.bad]));
    await p.outcome; // dropped at the deadline
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(decodeAll(codec, p.received())).toEqual(['GET a']);
    // onClose comes once the callback settled (the ordering rule), with the framing reason.
    expect(rec.closes).toEqual([]);
    settle!();
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-too-long', code: 'IOCP_ERR_FRAME_TOO_LONG' });
  });

  it('conn.close() from onFrameError: the answer is flushed and the reason stays the framing one', async () => {
    const codec = lengthPrefixed({ maxFrameLength: 1024 });
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec }, {
      onMessage: (conn, f) => void conn.send(f),
      onFrameError(conn) {
        conn.send(Buffer.from('-ERR Protocol error'));
        conn.close();
        expect(conn.send(Buffer.from('too late'))).toBe(false);
      },
      onClose: rec.onClose,
    });
    const p = await peer(l.port);
    p.socket.write(Buffer.concat([CASES[0]!.good, CASES[0]!.bad]));
    expect(await p.outcome).toBe('fin');
    expect(decodeAll(codec, p.received())).toEqual(['GET a', '-ERR Protocol error']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-too-long', code: 'IOCP_ERR_FRAME_TOO_LONG' });
  });

  it('onFrameError that throws closes with handler-error', async () => {
    const codec = lengthPrefixed({ maxFrameLength: 1024 });
    const port = cleanup.port(new CompletionPort());
    const rec = closeRecorder();
    const l = await port.listen({ codec }, {
      onFrameError() {
        throw new Error('boom');
      },
      onClose: rec.onClose,
    });
    const p = await peer(l.port);
    p.socket.write(CASES[0]!.bad);
    await p.outcome;
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'handler-error', code: 'IOCP_ERR_HANDLER' });
  });

  it('a peer that ends mid-request gets the onFrameError answer on its half-open connection', async () => {
    const codec = lengthPrefixed();
    const { rec, events, l } = await server(codec);
    const p = await peer(l.port);
    p.socket.end(Buffer.concat([CASES[0]!.good, Buffer.from([0, 0, 0, 10, 1, 2])]));
    expect(await p.outcome).toBe('fin');
    expect(decodeAll(codec, p.received())).toEqual(['re:GET a', '-ERR IOCP_ERR_FRAME_TRUNCATED']);
    await waitFor(() => rec.closes.length === 1);
    expect(rec.closes[0]).toMatchObject({ reason: 'frame-corrupt', code: 'IOCP_ERR_FRAME_TRUNCATED' });
    expect(events).toEqual(['message GET a', 'frame-error IOCP_ERR_FRAME_TRUNCATED', 'close frame-corrupt']);
  });
});
