import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Codec,
  FrameReader,
  type FramingError,
  delimiter,
  hpSocketPack,
  lengthField,
  lengthPrefixed,
  raw,
  varintPrefixed,
} from '../src/index.js';
import { arbitraryCuts, arbitraryGarbage, checkGarbage, cut, decodeChunks, encodeAll } from '../src/testing.js';

const RUNS = 150;

const payload = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
const payloads = fc.array(payload, { maxLength: 20 });
const cuts = arbitraryCuts();

const roundTrip: Array<[string, Codec, fc.Arbitrary<Buffer[]>]> = [
  ['lengthPrefixed()', lengthPrefixed(), payloads],
  ['lengthPrefixed 2-byte little-endian', lengthPrefixed({ lengthFieldLength: 2, byteOrder: 'little' }), payloads],
  ['lengthPrefixed 8-byte', lengthPrefixed({ lengthFieldLength: 8 }), payloads],
  ['varintPrefixed()', varintPrefixed(), payloads],
  [
    'hpSocketPack flag 0x155 (non-empty bodies)',
    hpSocketPack({ headerFlag: 0x155 }),
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => Buffer.from(u)), { maxLength: 20 }),
  ],
  [
    'lengthField length counts header (adj -3, 3-byte)',
    lengthField({ lengthFieldLength: 3, lengthAdjustment: -3, initialBytesToStrip: 3 }),
    payloads,
  ],
  ['lengthField varint, strip header', lengthField({ lengthFieldLength: 'varint', initialBytesToStrip: 'header' }), payloads],
  [
    'delimiter \\r\\n (payloads without CR/LF)',
    delimiter({ delimiter: '\r\n', maxFrameLength: 1000 }),
    fc.array(
      fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u.filter((b) => b !== 13 && b !== 10))),
      { maxLength: 20 },
    ),
  ],
  [
    'delimiter multi-byte DEADBEEF (payloads without 0xEF)',
    delimiter({ delimiter: Buffer.from([0xde, 0xad, 0xbe, 0xef]), maxFrameLength: 1000 }),
    fc.array(
      fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u.filter((b) => b !== 0xef))),
      { maxLength: 20 },
    ),
  ],
];

describe('property: any payloads, encoded and cut into any chunks, decode to the same payloads', () => {
  for (const [name, codec, arb] of roundTrip) {
    it(name, () => {
      fc.assert(
        fc.property(arb, cuts, (frames, points) => {
          const wire = encodeAll(codec.encoder, frames);
          const got = decodeChunks(codec.createDecoder(), cut(wire, points));
          expect(got.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('raw: the frames concatenate to the bytes sent, none above maxFrameLength', () => {
    const codec = raw({ maxFrameLength: 64 });
    fc.assert(
      fc.property(payloads, cuts, (frames, points) => {
        const wire = encodeAll(codec.encoder, frames);
        const got = decodeChunks(codec.createDecoder(), cut(wire, points));
        expect(Buffer.concat(got).equals(wire)).toBe(true);
        for (const f of got) expect(f.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: RUNS },
    );
  });
});

const garbageCodecs: Array<[string, Codec]> = [
  ['lengthPrefixed max 100', lengthPrefixed({ maxFrameLength: 100 })],
  ['lengthPrefixed max 100, failFast false', lengthPrefixed({ maxFrameLength: 100, failFast: false })],
  ['lengthField 8-byte LE adj -9 max 200', lengthField({ lengthFieldLength: 8, byteOrder: 'little', lengthAdjustment: -9, maxFrameLength: 200 })],
  ['lengthField offset 2, 1-byte, strip 5 max 64', lengthField({ lengthFieldOffset: 2, lengthFieldLength: 1, initialBytesToStrip: 5, maxFrameLength: 64 })],
  ['varintPrefixed max 100', varintPrefixed({ maxFrameLength: 100 })],
  ['hpSocketPack flag 0, max 100', hpSocketPack({ maxPackSize: 100 })],
  ['delimiter \\n max 50', delimiter({ delimiter: ['\n', '\r\n'], maxFrameLength: 50 })],
];

/** Valid wire of `codec`: random frames encoded back to back (their bytes as they are when one cannot be encoded). */
function validWire(codec: Codec): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 10 }).map((frames) => {
    try {
      return encodeAll(codec.encoder, frames);
    } catch {
      return Buffer.concat(frames);
    }
  });
}

/** Pure noise, or valid frames of `codec` with bytes overwritten by noise. */
function garbageFor(codec: Codec): fc.Arbitrary<Uint8Array> {
  return arbitraryGarbage({ valid: validWire(codec) });
}

describe('property: random garbage yields only coded FramingErrors, terminates, stays bounded', () => {
  for (const [name, codec] of garbageCodecs) {
    it(name, () => {
      checkGarbage(codec, { valid: validWire(codec), numRuns: RUNS });
    });
  }
});

/**
 * Frames (hex) and error codes in order, resuming after recoverable errors. With `swap`, the
 * reader is replaced by a fresh one on the same decoder after every chunk it ends idle on (what
 * @iocp/transport does to a quiet connection).
 */
function trace(codec: Codec, chunks: readonly Buffer[], swap = false): { out: string[]; swaps: number } {
  const decoder = codec.createDecoder();
  let reader = new FrameReader(decoder);
  const out: string[] = [];
  let swaps = 0;
  for (const chunk of chunks) {
    reader.push(chunk);
    for (;;) {
      try {
        const f = reader.next();
        if (f === undefined) break;
        out.push(f.toString('hex'));
      } catch (err) {
        out.push((err as FramingError).code);
        if (reader.failure !== undefined) return { out, swaps };
      }
    }
    if (swap && reader.idle) {
      expect(reader.bufferedBytes).toBe(0);
      reader = new FrameReader(decoder);
      swaps++;
    }
  }
  try {
    reader.end();
  } catch (err) {
    out.push((err as FramingError).code);
  }
  return { out, swaps };
}

describe('property: the fast default decoder matches the generic length-field decoder', () => {
  for (const failFast of [true, false]) {
    it(`lengthPrefixed() ≡ lengthField(4-byte BE, strip header), failFast ${failFast}`, () => {
      const fast = lengthPrefixed({ maxFrameLength: 100, failFast });
      const generic = lengthField({
        lengthFieldLength: 4,
        initialBytesToStrip: 'header',
        maxFrameLength: 104,
        failFast,
      });
      expect(fast.createDecoder().constructor).not.toBe(generic.createDecoder().constructor);
      fc.assert(
        fc.property(garbageFor(fast), cuts, (bytes, points) => {
          const chunks = cut(Buffer.from(bytes), points);
          expect(trace(fast, chunks).out).toEqual(trace(generic, chunks).out);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('property: encodePrefix + frame + suffix is the same wire as encodeInto', () => {
  const codecs: Array<[string, Codec]> = [
    ['lengthPrefixed()', lengthPrefixed()],
    ['lengthPrefixed 3-byte LE', lengthPrefixed({ lengthFieldLength: 3, byteOrder: 'little' })],
    ['varintPrefixed()', varintPrefixed()],
    ['hpSocketPack', hpSocketPack({ headerFlag: 0x3ff })],
    ['lengthField varint', lengthField({ lengthFieldLength: 'varint' })],
    ['delimiter', delimiter({ delimiter: ['\r\n', '\n'], maxFrameLength: 100_000 })],
    ['raw', raw()],
  ];
  for (const [name, codec] of codecs) {
    it(name, () => {
      const enc = codec.encoder;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 70_000 }), (u) => {
          const frame = Buffer.from(u);
          const scratch = Buffer.alloc(enc.maxPrefixLength!);
          const end = enc.encodePrefix!(frame, scratch, 0);
          const pieces = [scratch.subarray(0, end), frame, Buffer.from(enc.suffix ?? new Uint8Array(0))];
          const viaPrefix = Buffer.concat(pieces);
          const whole = Buffer.alloc(enc.encodedLength(frame) + 3, 0xee);
          expect(enc.encodeInto(frame, whole, 3)).toBe(whole.length);
          expect(viaPrefix.equals(whole.subarray(3))).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('property: an idle reader can be replaced by a new one on the same decoder', () => {
  // Valid streams: every chunk that ends on a frame boundary swaps the reader (so swaps happen).
  // Garbage covers the states where nothing is buffered but the reader is not idle: a too-long
  // frame being skipped (failFast false: its error still to come), a failed stream.
  const cases: Array<[string, Codec, fc.Arbitrary<Uint8Array>, boolean]> = [
    ...roundTrip.map(([name, codec, arb]): [string, Codec, fc.Arbitrary<Uint8Array>, boolean] => [
      name,
      codec,
      arb.map((frames) => new Uint8Array(encodeAll(codec.encoder, frames))),
      true,
    ]),
    ...garbageCodecs.map(([name, codec]): [string, Codec, fc.Arbitrary<Uint8Array>, boolean] => [`${name} (garbage)`, codec, garbageFor(codec), false]),
  ];
  for (const [name, codec, arb, valid] of cases) {
    it(name, () => {
      let swaps = 0;
      fc.assert(
        fc.property(arb, cuts, (bytes, points) => {
          const chunks = cut(Buffer.from(bytes), points);
          const swapped = trace(codec, chunks, true);
          swaps += swapped.swaps;
          expect(swapped.out).toEqual(trace(codec, chunks, false).out);
        }),
        { numRuns: RUNS },
      );
      if (valid) expect(swaps).toBeGreaterThan(0);
    });
  }
});
