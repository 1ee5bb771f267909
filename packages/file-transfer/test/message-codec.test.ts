import { type Decoder, lengthPrefixed } from '@iocp/framing';
import { arbitraryChunks, checkSplits, decodeChunks, encodeAll } from '@iocp/framing/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Message, MessageType, ProtocolError, allocDataFrame, decodeMessage, encodeMessage } from '../src/index.js';

const d = (b: number) => Buffer.alloc(32, b);

const samples: Message[] = [
  { type: MessageType.Hello, version: 1, token: Buffer.from('s3cret') },
  { type: MessageType.Welcome, version: 1, maxChunk: 262144, window: 4194304, maxTransfers: 16 },
  { type: MessageType.Error, id: 7, code: 'IOCP_ERR_FT_BUSY', message: 'busy – ünïcode' },
  { type: MessageType.Put, id: 1, size: 2 ** 40 + 3, resume: true, name: 'a/b/c.txt' },
  { type: MessageType.PutReady, id: 1, offset: 12345, prefixHash: d(1), credit: 65536 },
  { type: MessageType.PutEnd, id: 1, sha256: d(2) },
  { type: MessageType.PutDone, id: 1, size: 99, sha256: d(3) },
  { type: MessageType.Get, id: 0xffffffff, offset: 0, prefixHash: d(0), credit: 1, name: 'x' },
  { type: MessageType.GetReady, id: 2, size: Number.MAX_SAFE_INTEGER, offset: 5, mtimeMs: 1700000000000 },
  { type: MessageType.GetEnd, id: 2, sha256: d(4) },
  { type: MessageType.Data, id: 3, payload: Buffer.from([1, 2, 3]) },
  { type: MessageType.Credit, id: 3, bytes: 4096 },
  { type: MessageType.Cancel, id: 3 },
  { type: MessageType.List, id: 4, folder: '' },
  { type: MessageType.ListItems, id: 4, entries: [{ name: 'a', size: 1, mtimeMs: 2 }, { name: 'b/c', size: 0, mtimeMs: 0 }] },
  { type: MessageType.ListEnd, id: 4 },
  { type: MessageType.Stat, id: 5, name: 'a' },
  { type: MessageType.StatOk, id: 5, size: 10, mtimeMs: 20 },
  { type: MessageType.Delete, id: 6, name: 'a' },
  { type: MessageType.DeleteOk, id: 6 },
];

function plain(m: Message): unknown {
  return JSON.parse(JSON.stringify(m, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)));
}

/** The session's wire as a typed decoder: length-prefixed frames (as FileServer/FileClient use), each a message. */
function messageDecoder(): Decoder<Message> {
  const frames = lengthPrefixed({ maxFrameLength: 1 << 20 }).createDecoder();
  return {
    maxBufferedBytes: frames.maxBufferedBytes,
    measure: (buf, start, end) => frames.measure(buf, start, end),
    extract: (buf, start, length) => decodeMessage(frames.extract(buf, start, length)),
  };
}

const samePlain = (a: Message, b: Message) => JSON.stringify(plain(a)) === JSON.stringify(plain(b));

describe('message codec', () => {
  it('a stream of every message type, framed as the sessions send it, decodes the same at every split (@iocp/framing/testing)', () => {
    const wire = encodeAll(lengthPrefixed().encoder, samples.map(encodeMessage));
    const checked = checkSplits(messageDecoder, wire, samples, { equals: samePlain, threeWayMaxLength: 64 });
    expect(checked).toBeGreaterThan(wire.length);
  });

  it('any chunking of a random session stream decodes to its messages (property, @iocp/framing/testing)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...samples), { maxLength: 30 }).chain((msgs) => {
          const wire = encodeAll(lengthPrefixed().encoder, msgs.map(encodeMessage));
          return arbitraryChunks(wire).map((chunks) => ({ msgs, chunks }));
        }),
        ({ msgs, chunks }) => {
          const got = decodeChunks(messageDecoder(), chunks);
          expect(got.map(plain)).toEqual(msgs.map(plain));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('round-trips every message type', () => {
    for (const m of samples) expect(plain(decodeMessage(encodeMessage(m)))).toEqual(plain(m));
  });

  it('carries the optional HELLO maxChunk', () => {
    const m: Message = { type: MessageType.Hello, version: 1, token: Buffer.from('t'), maxChunk: 65531 };
    expect(plain(decodeMessage(encodeMessage(m)))).toEqual(plain(m));
    const without = decodeMessage(encodeMessage({ type: MessageType.Hello, version: 1, token: Buffer.alloc(0) }));
    expect(without).not.toHaveProperty('maxChunk');
  });

  it('refuses every truncation of every message with IOCP_ERR_FT_PROTOCOL', () => {
    for (const m of samples) {
      const wire = encodeMessage(m);
      // DATA and HELLO carry a tail of any length; every other cut must fail.
      const minOk = m.type === MessageType.Data ? 5 : m.type === MessageType.Hello ? wire.length : wire.length;
      for (let cut = 0; cut < minOk; cut++) {
        expect(() => decodeMessage(wire.subarray(0, cut)), `type ${m.type} cut ${cut}`).toThrow(ProtocolError);
      }
    }
  });

  it('refuses trailing bytes, unknown types, bad magic, u64 beyond 2^53 and invalid UTF-8', () => {
    const stat = encodeMessage({ type: MessageType.Stat, id: 1, name: 'a' });
    expect(() => decodeMessage(Buffer.concat([stat, Buffer.from([0])]))).toThrow(/trailing/);
    expect(() => decodeMessage(Buffer.from([0x99, 0, 0, 0, 1]))).toThrow(/unknown message type 0x99/);
    const hello = encodeMessage({ type: MessageType.Hello, version: 1, token: Buffer.alloc(0) });
    hello[1] = 0x58;
    expect(() => decodeMessage(hello)).toThrow(/magic/);
    const put = encodeMessage({ type: MessageType.Put, id: 1, size: 1, resume: false, name: 'a' });
    put.writeUInt32BE(0x00200000, 5); // size high word: 2^53
    expect(() => decodeMessage(put)).toThrow(/2\^53/);
    const bad = encodeMessage({ type: MessageType.Stat, id: 1, name: 'ab' });
    bad[bad.length - 1] = 0xff;
    expect(() => decodeMessage(bad)).toThrow(/UTF-8/);
    expect(() => decodeMessage(Buffer.alloc(0))).toThrow(/empty/);
  });

  it('builds DATA frames in place without copying the payload on decode', () => {
    const f = allocDataFrame(9, 4);
    f.set([9, 8, 7, 6], 5);
    const m = decodeMessage(f);
    expect(m).toMatchObject({ type: MessageType.Data, id: 9 });
    if (m.type !== MessageType.Data) throw new Error('type');
    expect(m.payload.buffer).toBe(f.buffer);
    expect([...m.payload]).toEqual([9, 8, 7, 6]);
  });

  it('property: PUT and GET survive any name, size and id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 0xffffffff }), (name, size, id) => {
        const put: Message = { type: MessageType.Put, id, size, resume: size % 2 === 0, name };
        expect(plain(decodeMessage(encodeMessage(put)))).toEqual(plain(put));
        const get: Message = { type: MessageType.Get, id, offset: size, prefixHash: d(5), credit: id, name };
        expect(plain(decodeMessage(encodeMessage(get)))).toEqual(plain(get));
      }),
    );
  });

  it('property: random bytes never crash the decoder with anything but a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeMessage(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
