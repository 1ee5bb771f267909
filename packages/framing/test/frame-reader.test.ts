import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Decoder,
  FrameReader,
  FramingError,
  encode,
  lengthField,
  lengthPrefixed,
  raw,
} from '../src/index.js';
import { chunkings } from '../src/testing.js';
import { bytes, measureCalls, thrown } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Frames (as text) and error codes in the order the reader produced them; resumes after errors. */
function events(decoder: Decoder, chunks: readonly Buffer[]): string[] {
  const reader = new FrameReader(decoder);
  const out: string[] = [];
  const drain = () => {
    for (;;) {
      try {
        const f = reader.next();
        if (f === undefined) return;
        out.push(f.toString('latin1'));
      } catch (err) {
        out.push((err as FramingError).code);
        if (reader.failure !== undefined) return;
      }
    }
  };
  for (const chunk of chunks) {
    reader.push(chunk);
    drain();
  }
  try {
    reader.end();
  } catch (err) {
    out.push((err as FramingError).code);
  }
  return out;
}

const codec = lengthPrefixed();
const wireOf = (...frames: string[]) =>
  Buffer.concat(frames.map((f) => encode(codec.encoder, Buffer.from(f, 'latin1'))));

describe('FrameReader: zero copy and copy once', () => {
  it('returns frames inside a chunk as views of that chunk', () => {
    const chunk = wireOf('alpha', 'bravo!', 'c');
    const reader = new FrameReader(codec.createDecoder());
    reader.push(chunk);
    const frames = [reader.next(), reader.next(), reader.next()];
    expect(reader.next()).toBeUndefined();
    const offsets = [4, 4 + 5 + 4, 4 + 5 + 4 + 6 + 4];
    frames.forEach((f, i) => {
      expect(f!.buffer).toBe(chunk.buffer);
      expect(f!.byteOffset).toBe(chunk.byteOffset + offsets[i]!);
    });
    expect(frames.map((f) => f!.toString())).toEqual(['alpha', 'bravo!', 'c']);
  });

  it('copies a frame spanning chunks once, into a buffer of its final size', () => {
    const payload = Buffer.alloc(1 << 20, 7);
    const wire = encode(codec.encoder, payload);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
    const allocs: number[] = [];
    const realAlloc = Buffer.allocUnsafe;
    vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
      allocs.push(size);
      return realAlloc(size);
    });
    const concat = vi.spyOn(Buffer, 'concat');
    const frames: Buffer[] = [];
    const { bytes: copied } = measureCalls('copy', () => {
      const reader = new FrameReader(codec.createDecoder());
      for (const c of chunks) {
        reader.push(c);
        for (let f = reader.next(); f !== undefined; f = reader.next()) frames.push(f);
      }
    });
    vi.restoreAllMocks();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.equals(payload)).toBe(true);
    expect(allocs).toEqual([wire.length]);
    expect(concat).not.toHaveBeenCalled();
    expect(copied).toBe(wire.length);
    expect(chunks.some((c) => c.buffer === frames[0]!.buffer)).toBe(false);
  });

  it('keeps copying linear when the header itself is split (1-byte chunks)', () => {
    const wire = wireOf('x'.repeat(5000), 'tail');
    const out: string[] = [];
    const { bytes: copied } = measureCalls('copy', () => {
      const reader = new FrameReader(codec.createDecoder());
      for (let i = 0; i < wire.length; i++) {
        reader.push(wire.subarray(i, i + 1));
        for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(f.toString());
      }
    });
    expect(out).toEqual(['x'.repeat(5000), 'tail']);
    // Every byte once, plus the headers copied again into their frame's final buffer.
    expect(copied).toBeLessThanOrEqual(wire.length + 2 * 4);
  });

  it('hands back the bytes it copied past a frame end while sizing it', () => {
    // Header split 2+2, then a chunk holding the rest of frame 1 and all of frame 2: frame 2
    // must still be a view of that chunk.
    const wire = wireOf('one', 'two');
    const c3 = wire.subarray(4);
    const reader = new FrameReader(codec.createDecoder());
    reader.push(wire.subarray(0, 2));
    expect(reader.next()).toBeUndefined();
    reader.push(wire.subarray(2, 4));
    expect(reader.next()).toBeUndefined();
    reader.push(c3);
    expect(reader.next()!.toString()).toBe('one');
    const two = reader.next()!;
    expect(two.toString()).toBe('two');
    expect(two.buffer).toBe(c3.buffer);
  });
});

/** Push a 64 KiB chunk with its own ArrayBuffer holding one frame, drain it, drop the frame. */
function feedOneChunk(reader: FrameReader): WeakRef<ArrayBuffer> {
  const chunk = Buffer.from(new ArrayBuffer(64 * 1024));
  chunk.writeUInt32BE(64 * 1024 - 4, 0);
  reader.push(chunk);
  const len = reader.next()?.length;
  if (len !== 64 * 1024 - 4 || reader.next() !== undefined) throw new Error('unexpected frames');
  return new WeakRef(chunk.buffer);
}

describe('FrameReader: memory', () => {
  it('holds nothing once every frame is taken', () => {
    const reader = new FrameReader(codec.createDecoder());
    reader.push(wireOf('a', 'b'));
    expect(reader.bufferedBytes).toBe(10);
    reader.next();
    reader.next();
    expect(reader.next()).toBeUndefined();
    expect(reader.bufferedBytes).toBe(0);
  });

  it('is idle exactly when it holds nothing and no frame is partial, skipped or failed', () => {
    const reader = new FrameReader(codec.createDecoder());
    expect(reader.idle).toBe(true);
    const wire = wireOf('abc', 'de');
    reader.push(wire);
    expect(reader.idle).toBe(false); // unread input
    expect(reader.next()?.toString()).toBe('abc');
    expect(reader.idle).toBe(false);
    expect(reader.next()?.toString()).toBe('de');
    expect(reader.idle).toBe(true);
    reader.push(wireOf('xyz').subarray(0, 5));
    expect(reader.next()).toBeUndefined();
    expect(reader.idle).toBe(false); // partial frame
    reader.push(wireOf('xyz').subarray(5));
    expect(reader.next()?.toString()).toBe('xyz');
    expect(reader.idle).toBe(true);

    const skipping = new FrameReader(lengthPrefixed({ maxFrameLength: 8, failFast: false }).createDecoder());
    skipping.push(wireOf('x'.repeat(20)).subarray(0, 10));
    expect(skipping.next()).toBeUndefined();
    expect(skipping.bufferedBytes).toBe(0);
    expect(skipping.idle).toBe(false); // skipping a too-long frame, its error still to come

    const broken: Decoder = {
      maxBufferedBytes: 100,
      measure: () => {
        throw new Error('boom');
      },
      extract: (b) => b,
    };
    const failed = new FrameReader(broken);
    failed.push(Buffer.alloc(3));
    expect(() => failed.next()).toThrow(FramingError);
    expect(failed.failure).toBeDefined();
    expect(failed.bufferedBytes).toBe(0);
    expect(failed.idle).toBe(false);
    failed.reset();
    expect(failed.idle).toBe(true);
  });

  it('lengthPrefixed() shares its stateless decoder: interleaved streams still decode apart', () => {
    const d = codec.createDecoder();
    expect(codec.createDecoder()).toBe(d);
    const a = new FrameReader(codec.createDecoder());
    const b = new FrameReader(codec.createDecoder());
    const wa = wireOf('first', 'second');
    const wb = wireOf('x'.repeat(300));
    const got: string[] = [];
    for (let i = 0; i < 400; i += 3) {
      a.push(wa.subarray(i, i + 3));
      b.push(wb.subarray(i, i + 3));
      for (let f = a.next(); f !== undefined; f = a.next()) got.push(`a:${f.toString()}`);
      for (let f = b.next(); f !== undefined; f = b.next()) got.push(`b:${f.length}`);
    }
    expect(got).toEqual(['a:first', 'a:second', 'b:300']);
  });

  it('keeps no reference to a drained chunk (the chunk can be collected)', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function');
    const reader = new FrameReader(codec.createDecoder());
    const ref = feedOneChunk(reader);
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc!();
    }
    expect(ref.deref()).toBeUndefined();
    expect(reader.bufferedBytes).toBe(0);
  });

  it('never buffers more than maxBufferedBytes for a decoder that never decides: FRAME_TOO_LONG (the peer sent too much)', () => {
    const stuck: Decoder = { maxBufferedBytes: 1000, measure: () => 0, extract: (b) => b };
    const reader = new FrameReader(stuck);
    let error: (Error & { code?: string }) | undefined;
    for (let i = 0; i < 100 && error === undefined; i++) {
      reader.push(Buffer.alloc(97));
      try {
        reader.next();
      } catch (err) {
        error = err as Error & { code?: string };
      }
      expect(reader.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    expect(error?.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(error?.message).toContain('maxBufferedBytes 1000');
    expect(reader.bufferedBytes).toBe(0);
    expect(reader.failure).toBe(error);
  });
});

describe('FrameReader: input handling', () => {
  it('queues chunks pushed before the previous one was drained', () => {
    const wire = wireOf('a', 'bb', 'ccc');
    const reader = new FrameReader(codec.createDecoder());
    reader.push(wire.subarray(0, 7));
    reader.push(wire.subarray(7, 12));
    reader.push(wire.subarray(12));
    expect(reader.bufferedBytes).toBe(wire.length);
    const out: string[] = [];
    for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(f.toString());
    expect(out).toEqual(['a', 'bb', 'ccc']);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('accepts Uint8Array chunks and ignores empty ones', () => {
    const wire = wireOf('hey');
    const reader = new FrameReader(codec.createDecoder());
    reader.push(new Uint8Array(0));
    reader.push(new Uint8Array(wire));
    const f = reader.next()!;
    expect(Buffer.isBuffer(f)).toBe(true);
    expect(f.toString()).toBe('hey');
  });

  it('end() reports a stream cut inside a header or a body', () => {
    const wire = wireOf('hello');
    for (const [cut, buffered, expected] of [
      [2, 2, undefined],
      [6, 6, 9],
    ] as const) {
      const reader = new FrameReader(codec.createDecoder());
      reader.push(wire.subarray(0, cut));
      expect(reader.next()).toBeUndefined();
      const err = thrown(() => reader.end()) as Error & {
        code?: string;
        bufferedBytes?: number;
        expectedBytes?: number;
      };
      expect(err.code).toBe('IOCP_ERR_FRAME_TRUNCATED');
      expect(err.bufferedBytes).toBe(buffered);
      expect(err.expectedBytes).toBe(expected);
      expect(reader.bufferedBytes).toBe(0);
    }
  });

  it('end() reports truncation at every cut of a stream of frames', () => {
    const wire = wireOf('first', 'second');
    for (let cut = 1; cut < wire.length; cut++) {
      const got = events(codec.createDecoder(), [wire.subarray(0, cut)]);
      const clean = cut === 9;
      expect(got.at(-1), `cut at ${cut}`).toBe(clean ? 'first' : 'IOCP_ERR_FRAME_TRUNCATED');
    }
  });

  it('end() on a clean boundary does not throw, and the reader can be reused', () => {
    const reader = new FrameReader(codec.createDecoder());
    reader.push(wireOf('x'));
    expect(reader.next()!.toString()).toBe('x');
    reader.end();
    reader.push(wireOf('y'));
    expect(reader.next()!.toString()).toBe('y');
  });
});

describe('FrameReader: errors', () => {
  it('a corrupt stream fails the reader until reset()', () => {
    const c = lengthField({ lengthFieldLength: 2, lengthAdjustment: -4 });
    const reader = new FrameReader(c.createDecoder());
    reader.push(bytes([0x00, 0x01, 0xaa, 0xbb, 0xcc]));
    const err = thrown(() => reader.next());
    expect(err.code).toBe('IOCP_ERR_FRAME_CORRUPT');
    expect(reader.failure).toBe(err);
    expect(thrown(() => reader.next())).toBe(err);
    reader.push(bytes([0x00, 0x04]));
    expect(reader.bufferedBytes).toBe(0);
    reader.end(); // already reported: end() does not throw again
    reader.reset();
    reader.push(bytes([0x00, 0x05, 0x61]));
    expect(reader.next()!.toString('latin1')).toBe('\x00\x05\x61');
  });

  it('refuses a decoder without a usable maxBufferedBytes', () => {
    for (const max of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, undefined]) {
      const d = { maxBufferedBytes: max, measure: () => 1, extract: (b: Buffer) => b } as Decoder;
      expect(thrown(() => new FrameReader(d)).code).toBe('IOCP_ERR_INVALID_OPTION');
    }
  });

  it('refuses measure results that are not lengths', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2000]) {
      const d: Decoder = { maxBufferedBytes: 1000, measure: () => bad, extract: (b) => b };
      const reader = new FrameReader(d);
      reader.push(Buffer.alloc(10));
      const err = thrown(() => reader.next());
      expect(err.code, String(bad)).toBe('IOCP_ERR_DECODER_CONTRACT');
    }
  });

  it('refuses a decoder that sizes a frame inside bytes it already refused', () => {
    let calls = 0;
    const d: Decoder = {
      maxBufferedBytes: 1000,
      measure: () => (calls++ === 0 ? 0 : 2),
      extract: (b) => b,
    };
    const reader = new FrameReader(d);
    reader.push(Buffer.alloc(10));
    expect(reader.next()).toBeUndefined();
    reader.push(Buffer.alloc(10));
    expect(thrown(() => reader.next()).code).toBe('IOCP_ERR_DECODER_CONTRACT');
  });

  it('wraps a decoder exception that is not a FramingError', () => {
    const boom = new TypeError('boom');
    const d: Decoder = {
      maxBufferedBytes: 10,
      measure: () => {
        throw boom;
      },
      extract: (b) => b,
    };
    const reader = new FrameReader(d);
    reader.push(Buffer.alloc(1));
    const err = thrown(() => reader.next());
    expect(err).toBeInstanceOf(FramingError);
    expect(err.code).toBe('IOCP_ERR_DECODER_CONTRACT');
    expect(err.cause).toBe(boom);
  });
});

describe('FrameReader: too-long frames (Netty discard mode)', () => {
  const small = (failFast: boolean) => lengthPrefixed({ maxFrameLength: 8, failFast });
  const wire = () => Buffer.concat([wireOf('ok'), wireOf('x'.repeat(20)), wireOf('after')]);

  it('raises IOCP_ERR_FRAME_TOO_LONG from the header alone, before the body arrives', () => {
    const reader = new FrameReader(small(true).createDecoder());
    reader.push(bytes([0x00, 0x00, 0x10, 0x00])); // 4096-byte payload announced, limit 8
    const err = thrown(() => reader.next()) as Error & {
      code?: string;
      length?: number;
      limit?: number;
    };
    expect(err.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(err.length).toBe(4096);
    expect(err.limit).toBe(8);
    expect(err.message).toContain('4096');
    expect(reader.bufferedBytes).toBe(0);
  });

  it('failFast: true — error at the header, then the body is skipped and decoding goes on', () => {
    for (const chunks of chunkings(wire())) {
      expect(events(small(true).createDecoder(), chunks)).toEqual([
        'ok',
        'IOCP_ERR_FRAME_TOO_LONG',
        'after',
      ]);
    }
    const reader = new FrameReader(small(true).createDecoder());
    reader.push(wireOf('x'.repeat(20)).subarray(0, 6));
    expect(thrown(() => reader.next()).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
  });

  it('failFast: false — error once the too-long frame has gone by', () => {
    for (const chunks of chunkings(wire())) {
      expect(events(small(false).createDecoder(), chunks)).toEqual([
        'ok',
        'IOCP_ERR_FRAME_TOO_LONG',
        'after',
      ]);
    }
    const tooLong = wireOf('x'.repeat(20));
    const reader = new FrameReader(small(false).createDecoder());
    reader.push(tooLong.subarray(0, 20));
    expect(reader.next()).toBeUndefined(); // header seen, body still arriving: no error yet
    expect(reader.bufferedBytes).toBe(0); // and nothing buffered
    reader.push(tooLong.subarray(20));
    expect(thrown(() => reader.next()).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
  });

  it('failFast: false — a stream ending during the skip reports the too-long frame', () => {
    const reader = new FrameReader(small(false).createDecoder());
    reader.push(wireOf('x'.repeat(20)).subarray(0, 10));
    expect(reader.next()).toBeUndefined();
    expect(thrown(() => reader.end()).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
  });
});

describe('FrameReader: raw chunks', () => {
  it('returns each chunk itself, cut at maxFrameLength', () => {
    const reader = new FrameReader(raw({ maxFrameLength: 4 }).createDecoder());
    const a = Buffer.from('abc');
    reader.push(a);
    expect(reader.next()).toBe(a);
    reader.push(Buffer.from('0123456789'));
    const out: string[] = [];
    for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(f.toString());
    expect(out).toEqual(['0123', '4567', '89']);
  });
});

describe('FrameReader: typed decoders and "at least n bytes" (measure < 0)', () => {
  /**
   * A "<len>:<text>" protocol decoded to `{ text }`: the length digits end at ':', so the frame
   * size shows only after the colon. `measure` answers `-(digits + 1)` (the colon at least)
   * while it sees digits only, and counts its calls.
   */
  function netstring(max = 1 << 16): Decoder<{ text: string }> & { calls: number } {
    return {
      maxBufferedBytes: max,
      calls: 0,
      measure(buf, start, end) {
        this.calls++;
        const colon = buf.indexOf(0x3a, start);
        if (colon < 0 || colon >= end) return -(end - start + 1);
        const len = Number(buf.toString('latin1', start, colon));
        return colon - start + 1 + len;
      },
      extract(buf, start, length) {
        const colon = buf.indexOf(0x3a, start);
        return { text: buf.toString('latin1', colon + 1, start + length) };
      },
    };
  }

  it('hands out what extract returned, however the stream is cut', () => {
    const wire = Buffer.from('5:hello0:3:abc', 'latin1');
    for (const chunks of chunkings(wire)) {
      const reader = new FrameReader(netstring());
      const got: string[] = [];
      for (const c of chunks) {
        reader.push(c);
        for (let m = reader.next(); m !== undefined; m = reader.next()) got.push(m.text);
      }
      reader.end();
      expect(got).toEqual(['hello', '', 'abc']);
    }
  });

  it('does not call measure again before the bytes it asked for are buffered', () => {
    // 8-byte header whose last 4 bytes are the body length: "at least 8" until it is there.
    let calls = 0;
    const d: Decoder = {
      maxBufferedBytes: 1 << 16,
      measure(buf, start, end) {
        calls++;
        return end - start < 8 ? -8 : 8 + buf.readUInt32BE(start + 4);
      },
      extract: (b, s, l) => b.subarray(s + 8, s + l),
    };
    const reader = new FrameReader(d);
    const wire = Buffer.concat([Buffer.from([1, 2, 3, 4, 0, 0, 0, 200]), Buffer.alloc(200, 0x61)]);
    for (let i = 0; i < 7; i++) {
      reader.push(wire.subarray(i, i + 1));
      expect(reader.next()).toBeUndefined();
    }
    expect(calls).toBe(1); // asked for 8 after the first byte, not asked again until 8 are there
    reader.push(wire.subarray(7, 8));
    expect(reader.next()).toBeUndefined();
    expect(calls).toBe(2); // sized at 208
    reader.push(wire.subarray(8));
    expect(reader.next()?.length).toBe(200);
    expect(calls).toBe(2);
  });

  it('asks again with zero (no minimum) on every chunk, as before', () => {
    let calls = 0;
    const d: Decoder = {
      maxBufferedBytes: 100,
      measure: (_b, start, end) => {
        calls++;
        return end - start >= 5 ? 5 : 0;
      },
      extract: (b, s, l) => b.subarray(s, s + l),
    };
    const reader = new FrameReader(d);
    for (let i = 0; i < 4; i++) {
      reader.push(Buffer.from('x'));
      expect(reader.next()).toBeUndefined();
    }
    expect(calls).toBe(4);
  });

  it('a minimum above maxBufferedBytes is FRAME_TOO_LONG; a minimum already buffered is a contract error', () => {
    const tooMuch: Decoder = { maxBufferedBytes: 100, measure: () => -101, extract: (b) => b };
    const r1 = new FrameReader(tooMuch);
    r1.push(Buffer.alloc(10));
    const e1 = thrown(() => r1.next());
    expect(e1.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(e1.message).toContain('at least 101');
    expect(r1.bufferedBytes).toBe(0);

    const confused: Decoder = { maxBufferedBytes: 100, measure: (_b, s, e) => -(e - s), extract: (b) => b };
    const r2 = new FrameReader(confused);
    r2.push(Buffer.alloc(10));
    expect(thrown(() => r2.next()).code).toBe('IOCP_ERR_DECODER_CONTRACT');
  });

  it('an unterminated netstring header is FRAME_TOO_LONG once maxBufferedBytes are held', () => {
    const reader = new FrameReader(netstring(64));
    let err: (Error & { code?: string }) | undefined;
    for (let i = 0; i < 50 && err === undefined; i++) {
      reader.push(Buffer.from('1111111111', 'latin1'));
      try {
        reader.next();
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(reader.bufferedBytes).toBeLessThanOrEqual(64);
    }
    expect(err?.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
  });
});
