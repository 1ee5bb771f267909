import type { Socket } from 'node:net';
import { type Codec, type Decoder, type Encoder, FrameCorruptError, lengthPrefixed } from '@iocp/framing';
import { afterEach, describe, expect, it } from 'vitest';
import { CompletionPort, type Connection } from '../../src/index.js';
import { Cleanup, plainClient, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// A small typed protocol: requests are text lines decoded to their words; replies are
// `+OK\n` or a bulk `$<len>\n<bytes>\n`, decoded on the client into `Reply` objects.
type Request = string[];
type Reply = { type: 'ok' } | { type: 'bulk'; value: Uint8Array };

const LF = 0x0a;
const NEWLINE = Buffer.from('\n');

const requestDecoder: Decoder<Request> = {
  maxBufferedBytes: 1024,
  measure(buf, start, end) {
    const lf = buf.indexOf(LF, start);
    return lf < 0 || lf >= end ? 0 : lf - start + 1;
  },
  extract(buf, start, length) {
    return buf.toString('latin1', start, start + length - 1).split(' ');
  },
};
const requestEncoder: Encoder<Request> = {
  encodedLength: (req) => Buffer.byteLength(req.join(' '), 'latin1') + 1,
  encodeInto(req, target, offset) {
    const n = Buffer.from(target.buffer, target.byteOffset, target.byteLength).write(req.join(' '), offset, 'latin1');
    target[offset + n] = LF;
    return offset + n + 1;
  },
};

/** Counts which encoder entry point each reply went through. */
const used = { into: 0, parts: 0 };
const replyEncoder: Encoder<Reply> = {
  encodedLength(r) {
    if (r.type === 'ok') return 4;
    return 1 + String(r.value.byteLength).length + 1 + r.value.byteLength + 1;
  },
  encodeInto(r, target, offset) {
    used.into++;
    const t = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
    if (r.type === 'ok') return offset + t.write('+OK\n', offset, 'latin1');
    offset += t.write(`$${r.value.byteLength}\n`, offset, 'latin1');
    t.set(r.value, offset);
    t[offset + r.value.byteLength] = LF;
    return offset + r.value.byteLength + 1;
  },
  maxPrefixLength: 32,
  encodeParts(r, target, offset, payloads) {
    used.parts++;
    if (r.type === 'ok') throw new Error('never large');
    const t = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
    offset += t.write(`$${r.value.byteLength}\n`, offset, 'latin1');
    payloads.push(r.value, NEWLINE);
    return offset;
  },
};
const replyDecoder = (): Decoder<Reply> => ({
  maxBufferedBytes: 4 << 20,
  measure(buf, start, end) {
    const lf = buf.indexOf(LF, start);
    if (lf < 0 || lf >= end) return 0;
    if (buf[start] === 0x2b) return lf - start + 1;
    if (buf[start] !== 0x24) throw new FrameCorruptError('bad reply');
    return lf - start + 1 + Number(buf.toString('latin1', start + 1, lf)) + 1;
  },
  extract(buf, start, length) {
    if (buf[start] === 0x2b) return { type: 'ok' };
    const lf = buf.indexOf(LF, start);
    return { type: 'bulk', value: buf.subarray(lf + 1, start + length - 1) };
  },
});

const serverCodec: Codec<Request, Reply> = { name: 'mini', createDecoder: () => requestDecoder, encoder: replyEncoder };
const clientCodec: Codec<Reply, Request> = { name: 'mini-client', createDecoder: replyDecoder, encoder: requestEncoder };

const BIG = Buffer.alloc(300_000, 0x62);

/** A server that answers PING with +OK, ECHO x with a bulk x, BIG with a 300 kB bulk. */
async function server(port: CompletionPort) {
  const seen: Request[] = [];
  const l = await port.listen(
    { codec: serverCodec },
    {
      onMessage(conn, req) {
        seen.push(req);
        if (req[0] === 'PING') return conn.send({ type: 'ok' });
        if (req[0] === 'ECHO') return conn.send({ type: 'bulk', value: Buffer.from(req[1] ?? '') });
        if (req[0] === 'BIG') return conn.send({ type: 'bulk', value: BIG });
        return conn.close();
      },
    },
  );
  return { l, seen };
}

describe('typed codecs', () => {
  it('decode to the codec type on both sides, encode typed messages, count them in messagesOut', async () => {
    const sp = cleanup.port(new CompletionPort());
    const cp = cleanup.port(new CompletionPort());
    const { l, seen } = await server(sp);
    const replies: Reply[] = [];
    const conn = await cp.connect(
      { host: '127.0.0.1', port: l.port, codec: clientCodec },
      { onMessage: (_c, r) => replies.push(r) },
    );
    expect(conn.send(['PING'])).toBe(true);
    expect(conn.send(['ECHO', 'hello'])).toBe(true);
    conn.send(['ECHO', '']);
    await waitFor(() => replies.length === 3);
    expect(seen).toEqual([['PING'], ['ECHO', 'hello'], ['ECHO', '']]);
    expect(replies[0]).toEqual({ type: 'ok' });
    expect(replies[1]!.type === 'bulk' && Buffer.from(replies[1]!.value).toString()).toBe('hello');
    expect(replies[2]!.type === 'bulk' && replies[2]!.value.byteLength).toBe(0);
    expect(sp.stats().messagesOut).toBe(3);
    expect(sp.stats().messagesIn).toBe(3);
    expect(cp.stats().messagesOut).toBe(3);
    expect(cp.stats().messagesIn).toBe(3);
  });

  it('a large message goes out through encodeParts: head in the pooled buffer, the payload buffer itself written', async () => {
    const sp = cleanup.port(new CompletionPort());
    const cp = cleanup.port(new CompletionPort());
    let serverConn: Connection<unknown, Reply> | undefined;
    const l = await sp.listen(
      { codec: serverCodec },
      {
        onOpen(c) {
          serverConn = c;
        },
      },
    );
    const replies: Reply[] = [];
    await cp.connect({ host: '127.0.0.1', port: l.port, codec: clientCodec }, { onMessage: (_c, r) => replies.push(r) });
    await waitFor(() => serverConn !== undefined);
    const sock = (serverConn as unknown as { socket: Socket }).socket;
    const written: Buffer[] = [];
    const w = sock._write.bind(sock);
    const wv = sock._writev!.bind(sock);
    sock._write = (...args: Parameters<typeof sock._write>) => {
      written.push(args[0] as Buffer);
      return w(...args);
    };
    sock._writev = (...args: Parameters<NonNullable<typeof sock._writev>>) => {
      for (const c of args[0]) written.push(c.chunk as Buffer);
      return wv(...args);
    };
    used.into = used.parts = 0;
    serverConn!.send({ type: 'ok' });
    serverConn!.send({ type: 'bulk', value: BIG });
    serverConn!.send({ type: 'ok' });
    await waitFor(() => replies.length === 3);
    expect(used).toEqual({ into: 2, parts: 1 });
    // The 300 kB value left as its own memory (not copied); the head and the small "\n"
    // payload were copied into the pooled buffer with the replies around them.
    expect(written.some((c) => c.buffer === BIG.buffer && c.byteOffset === BIG.byteOffset && c.length === BIG.length)).toBe(true);
    expect(written.reduce((n, c) => n + c.length, 0)).toBe(4 + 8 + BIG.length + 1 + 4);
    const big = replies[1]!;
    expect(big.type === 'bulk' && Buffer.from(big.value).equals(BIG)).toBe(true);
    expect(replies[0]).toEqual({ type: 'ok' });
    expect(replies[2]).toEqual({ type: 'ok' });
    expect(sp.stats().messagesOut).toBe(3);
  });

  it('an encodeParts that disagrees with encodedLength is IOCP_ERR_ENCODE, nothing is queued, the connection goes on', async () => {
    // One byte more than encodeParts produces, for the big reply only.
    const lying: Encoder<Reply> = {
      ...replyEncoder,
      encodedLength: (r) => replyEncoder.encodedLength(r) + (r.type === 'bulk' && r.value === BIG ? 1 : 0),
    };
    const sp = cleanup.port(new CompletionPort());
    let conn: Connection<unknown, Reply> | undefined;
    const l = await sp.listen(
      { codec: { name: 'liar', createDecoder: () => requestDecoder, encoder: lying } },
      {
        onOpen(c) {
          conn = c;
        },
      },
    );
    const c = cleanup.socket(await plainClient(l.port, '127.0.0.1', { decode: false }));
    await waitFor(() => conn !== undefined);
    let err: (Error & { code?: string }) | undefined;
    try {
      conn!.send({ type: 'bulk', value: BIG });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe('IOCP_ERR_ENCODE');
    expect(String((err?.cause as Error).message)).toContain('encodedLength said');
    expect(conn!.queuedBytes).toBe(0);
    expect(conn!.send({ type: 'ok' })).toBe(true);
    await waitFor(() => c.bytes === 4);
    expect(conn!.open).toBe(true);
    expect(sp.stats().messagesOut).toBe(1);
  });

  it('handler callbacks may return any value: only a thenable is awaited', async () => {
    const sp = cleanup.port(new CompletionPort());
    // biome-ignore lint/suspicious/noThenProperty: a non-function `then` is not a thenable, on purpose
    const values: unknown[] = [true, 0, 'x', { then: 1 }, null, [1]];
    let i = 0;
    const l = await sp.listen(
      { codec: lengthPrefixed() },
      {
        onMessage: (conn, f) => {
          conn.send(f);
          return values[i++ % values.length];
        },
      },
    );
    const c = cleanup.socket(await plainClient(l.port));
    for (let k = 0; k < 12; k++) c.send(`m${k}`);
    const frames = await c.waitFrames(12);
    expect(frames.map((f) => f.toString())).toEqual(Array.from({ length: 12 }, (_, k) => `m${k}`));
    // the classic echo: send's boolean is returned, not awaited
    const l2 = await sp.listen({ codec: lengthPrefixed() }, { onMessage: (conn, f) => conn.send(f) });
    const c2 = cleanup.socket(await plainClient(l2.port));
    c2.send('echo');
    expect((await c2.waitFrames(1))[0]!.toString()).toBe('echo');
  });
});
