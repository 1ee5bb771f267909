import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  type LengthFieldOptions,
  encode,
  lengthField,
  lengthPrefixed,
} from '../src/index.js';
import { checkSplits, decodeUntilError } from '../src/testing.js';
import { bytes, thrown } from './helpers.js';

describe('lengthField: widths and byte order', () => {
  const payload = bytes('payload!');
  const widths = [1, 2, 3, 4, 8] as const;
  for (const width of widths) {
    for (const byteOrder of ['big', 'little'] as const) {
      it(`${width}-byte ${byteOrder}-endian length field`, () => {
        const header = Buffer.alloc(width);
        if (byteOrder === 'big') header[width - 1] = payload.length;
        else header[0] = payload.length;
        const wire = Buffer.concat([header, payload]);
        const codec = lengthField({
          lengthFieldLength: width,
          byteOrder,
          initialBytesToStrip: 'header',
        });
        expect(encode(codec.encoder, payload)).toEqual(wire);
        checkSplits(() => codec.createDecoder(), Buffer.concat([wire, wire]), [payload, payload]);
      });
    }
  }

  it('reads multi-byte values in the right order', () => {
    const be = lengthField({ lengthFieldLength: 3, maxFrameLength: 1 << 20 }).createDecoder();
    expect(be.measure(bytes([0x01, 0x02, 0x03]), 0, 3)).toBe(0x010203 + 3);
    const le = lengthField({ lengthFieldLength: 3, byteOrder: 'little', maxFrameLength: 1 << 20 });
    expect(le.createDecoder().measure(bytes([0x01, 0x02, 0x03]), 0, 3)).toBe(0x030201 + 3);
    const be4 = lengthField({ maxFrameLength: 2 ** 32 }).createDecoder();
    expect(be4.measure(bytes([0xff, 0xff, 0xff, 0xf0]), 0, 4)).toBe(0xfffffff0 + 4);
    const le4 = lengthField({ byteOrder: 'little', maxFrameLength: 2 ** 32 }).createDecoder();
    expect(le4.measure(bytes([0xf0, 0xff, 0xff, 0xff]), 0, 4)).toBe(0xfffffff0 + 4);
    const be8 = lengthField({ lengthFieldLength: 8, maxFrameLength: 2 ** 32 }).createDecoder();
    expect(be8.measure(bytes([0, 0, 0, 0, 0x80, 0, 0, 0x05]), 0, 8)).toBe(2 ** 31 + 5 + 8);
    const le8 = lengthField({ lengthFieldLength: 8, byteOrder: 'little', maxFrameLength: 2 ** 32 });
    expect(le8.createDecoder().measure(bytes([5, 0, 0, 0x80, 0, 0, 0, 0]), 0, 8)).toBe(2 ** 31 + 5 + 8);
    // Bytes 4..7 of an 8-byte field are the high half: a length of 2^32 + 5 is read as such and
    // refused as too long (not wrapped to 5).
    const err = thrown(() => be8.measure(bytes([0, 0, 0, 0x01, 0, 0, 0, 0x05]), 0, 8)) as Error & {
      code?: string;
      length?: number;
    };
    expect(err.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(err.length).toBe(2 ** 32 + 5 + 8);
  });
});

describe('lengthField: corrupt and too-long headers', () => {
  const cases: Array<[string, LengthFieldOptions, Buffer, string]> = [
    [
      'negative adjusted length',
      { lengthFieldLength: 2, lengthAdjustment: -4 },
      bytes([0x00, 0x01, 0x00, 0x00]),
      'IOCP_ERR_FRAME_CORRUPT',
    ],
    [
      'frame shorter than initialBytesToStrip',
      { lengthFieldLength: 2, initialBytesToStrip: 10 },
      bytes([0x00, 0x01, 0x00]),
      'IOCP_ERR_FRAME_CORRUPT',
    ],
    [
      '8-byte length above 2^53 - 1',
      { lengthFieldLength: 8 },
      bytes([0x00, 0x20, 0, 0, 0, 0, 0, 0]),
      'IOCP_ERR_FRAME_CORRUPT',
    ],
    [
      '8-byte length with the top bit set',
      { lengthFieldLength: 8 },
      bytes([0x80, 0, 0, 0, 0, 0, 0, 0]),
      'IOCP_ERR_FRAME_CORRUPT',
    ],
    [
      'frame longer than maxFrameLength (header counted)',
      { lengthFieldLength: 2, maxFrameLength: 10 },
      bytes([0x00, 0x09]),
      'IOCP_ERR_FRAME_TOO_LONG',
    ],
  ];
  for (const [name, opts, wire, code] of cases) {
    it(`${name} → ${code}, from the header alone`, () => {
      const { messages: frames, error } = decodeUntilError(lengthField(opts).createDecoder(), [wire]);
      expect(frames).toEqual([]);
      expect(error?.code).toBe(code);
      expect(error?.message).toMatch(/\d/);
    });
  }

  it('a frame of exactly maxFrameLength (Netty: header included) passes', () => {
    const codec = lengthField({ lengthFieldLength: 2, maxFrameLength: 10, initialBytesToStrip: 2 });
    checkSplits(() => codec.createDecoder(), bytes([0x00, 0x08], '12345678'), [bytes('12345678')]);
  });

  it('lengthPrefixed counts maxFrameLength on the payload', () => {
    const codec = lengthPrefixed({ maxFrameLength: 8 });
    checkSplits(() => codec.createDecoder(), bytes([0, 0, 0, 8], '12345678'), [bytes('12345678')]);
    const { error } = decodeUntilError(codec.createDecoder(), [bytes([0, 0, 0, 9])]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(codec.createDecoder().maxBufferedBytes).toBe(12);
  });

  it('a peer announcing 4 GiB gets an error, not an allocation', () => {
    const reader = new FrameReader(lengthPrefixed().createDecoder());
    reader.push(bytes([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    const err = thrown(() => reader.next()) as Error & { code?: string; length?: number };
    expect(err.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(err.length).toBe(0xffffffff);
    expect(reader.bufferedBytes).toBe(0);
  });
});

describe('lengthField: encoder (Netty LengthFieldPrepender)', () => {
  it('mirrors the decoder by default, so encode → decode round-trips', () => {
    for (const opts of [
      { lengthFieldLength: 2, lengthAdjustment: -2, initialBytesToStrip: 2 },
      { lengthFieldLength: 4, lengthAdjustment: 3, initialBytesToStrip: 4 },
      { lengthFieldLength: 'varint', initialBytesToStrip: 'header' },
    ] as LengthFieldOptions[]) {
      const codec = lengthField(opts);
      // With a positive adjustment the field must announce 3 fewer bytes than follow.
      const frames = [bytes('abcdef'), bytes('xyz')];
      const wire = Buffer.concat(frames.map((f) => encode(codec.encoder, f)));
      checkSplits(() => codec.createDecoder(), wire, frames);
    }
  });

  it('refuses frames the field or the limit cannot carry', () => {
    const one = lengthField({ lengthFieldLength: 1, initialBytesToStrip: 1 });
    expect(encode(one.encoder, Buffer.alloc(255)).length).toBe(256);
    expect(thrown(() => encode(one.encoder, Buffer.alloc(256))).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    const small = lengthField({ maxFrameLength: 10 });
    expect(encode(small.encoder, Buffer.alloc(6)).length).toBe(10);
    expect(thrown(() => encode(small.encoder, Buffer.alloc(7))).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    const negative = lengthField({ encoder: { lengthAdjustment: -5 } });
    expect(thrown(() => encode(negative.encoder, Buffer.alloc(4))).code).toBe('IOCP_ERR_FRAME_CORRUPT');
  });

  it('encodePrefix writes only the header; the frame goes out as its own buffer', () => {
    const codec = lengthPrefixed({ lengthFieldLength: 2, byteOrder: 'little' });
    const scratch = Buffer.alloc(codec.encoder.maxPrefixLength!);
    const frame = Buffer.alloc(0x1234);
    expect(codec.encoder.encodePrefix!(frame, scratch, 0)).toBe(2);
    expect(scratch).toEqual(bytes([0x34, 0x12]));
    expect(codec.encoder.suffix).toBeUndefined();
  });

  it('keepalive: an empty frame the same codec decodes', () => {
    expect(lengthPrefixed().keepalive).toEqual(bytes([0, 0, 0, 0]));
    expect(lengthField({ lengthFieldLength: 2, lengthAdjustment: -2 }).keepalive).toEqual(bytes([0, 2]));
    expect(lengthField({ lengthFieldOffset: 2 }).keepalive).toBeUndefined();
    const codec = lengthPrefixed();
    checkSplits(() => codec.createDecoder(), Buffer.from(codec.keepalive!), [Buffer.alloc(0)]);
  });
});

describe('lengthField: options are validated up front', () => {
  const bad: Array<[string, unknown]> = [
    ['lengthFieldLength', { lengthFieldLength: 5 }],
    ['lengthFieldLength', { lengthFieldLength: '4' }],
    ['lengthFieldOffset', { lengthFieldOffset: -1 }],
    ['lengthFieldOffset', { lengthFieldOffset: 1.5 }],
    ['maxFrameLength', { maxFrameLength: 0 }],
    ['maxFrameLength', { maxFrameLength: 3 }],
    ['maxFrameLength', { lengthFieldOffset: 10, maxFrameLength: 12 }],
    ['maxFrameLength', { maxFrameLength: Number.POSITIVE_INFINITY }],
    ['lengthAdjustment', { lengthAdjustment: 0.5 }],
    ['initialBytesToStrip', { initialBytesToStrip: -1 }],
    ['initialBytesToStrip', { initialBytesToStrip: 'all' }],
    ['byteOrder', { byteOrder: 'middle' }],
    ['failFast', { failFast: 'yes' }],
    ['maxFrameLen', { maxFrameLen: 10 }],
    ['encoder.lengthIncludesLengthFieldLength', { lengthFieldLength: 'varint', encoder: { lengthIncludesLengthFieldLength: true } }],
    ['lengthAdjustment', { encoder: { lengthAdjustment: 'x' } }],
  ];
  for (const [option, opts] of bad) {
    it(`${JSON.stringify(opts)} → IOCP_ERR_INVALID_OPTION (${option})`, () => {
      const err = thrown(() => lengthField(opts as LengthFieldOptions)) as Error & {
        code?: string;
        option?: string;
      };
      expect(err.code).toBe('IOCP_ERR_INVALID_OPTION');
      expect(err.option).toContain(option.split('.').at(-1));
    });
  }

  it('lengthPrefixed validates too', () => {
    expect(thrown(() => lengthPrefixed({ lengthFieldLength: 'varint' as never })).code).toBe(
      'IOCP_ERR_INVALID_OPTION',
    );
    expect(thrown(() => lengthPrefixed({ maxFrameLength: -1 })).code).toBe('IOCP_ERR_INVALID_OPTION');
  });
});
