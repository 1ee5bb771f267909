import { describe, expect, it } from 'vitest';
import { encode, lengthField, lengthPrefixed, type LengthFieldOptions } from '../src/index.js';
import { checkSplits } from '../src/testing.js';
import { bytes } from './helpers.js';

// The byte diagrams (INPUT → DECODED) of tokio-util's `length_delimited` module docs. tokio's
// `num_skip` is Netty's `initialBytesToStrip`; its default (skip the header) is our
// `initialBytesToStrip: 'header'`. tokio's `length_adjustment` counts from the end of the length
// field like Netty's, except in example 7, where tokio's bytes skipped past the field (num_skip
// 4 > header 3) are not part of the announced length: in Netty terms that byte is added with
// lengthAdjustment 1.
const PAYLOAD = 'Hello world'; // 11 bytes

const cases: Array<{ name: string; opts: LengthFieldOptions; input: Buffer; decoded: Buffer }> = [
  {
    name: 'example 1: u16 length at offset 0, head kept',
    opts: { lengthFieldLength: 2, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x0b], PAYLOAD),
    decoded: bytes([0x00, 0x0b], PAYLOAD),
  },
  {
    name: 'example 2: u16 length at offset 0, head skipped (default num_skip)',
    opts: { lengthFieldLength: 2, initialBytesToStrip: 'header' },
    input: bytes([0x00, 0x0b], PAYLOAD),
    decoded: bytes(PAYLOAD),
  },
  {
    name: 'example 3: u16 length including the head, head kept',
    opts: { lengthFieldLength: 2, lengthAdjustment: -2, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x0d], PAYLOAD),
    decoded: bytes([0x00, 0x0d], PAYLOAD),
  },
  {
    name: 'example 4: 3-byte length in a 5-byte head, head kept',
    opts: { lengthFieldLength: 3, lengthAdjustment: 2, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x00, 0x0b, 0xca, 0xfe], PAYLOAD),
    decoded: bytes([0x00, 0x00, 0x0b, 0xca, 0xfe], PAYLOAD),
  },
  {
    name: 'example 5: u16 length at offset 1 of a 4-byte head, hdr2 kept',
    opts: { lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: 1, initialBytesToStrip: 3 },
    input: bytes([0xca, 0x00, 0x0b, 0xfe], PAYLOAD),
    decoded: bytes([0xfe], PAYLOAD),
  },
  {
    name: 'example 6: u16 length at offset 1 including the head, hdr2 kept',
    opts: { lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: -3, initialBytesToStrip: 3 },
    input: bytes([0xca, 0x00, 0x0f, 0xfe], PAYLOAD),
    decoded: bytes([0xfe], PAYLOAD),
  },
  {
    name: 'example 7: 3-byte length, 4th head byte excluded',
    opts: { lengthFieldLength: 3, lengthAdjustment: 1, initialBytesToStrip: 4 },
    input: bytes([0x00, 0x00, 0x0b, 0xff], PAYLOAD),
    decoded: bytes(PAYLOAD),
  },
];

describe('tokio-util length_delimited examples', () => {
  for (const c of cases) {
    it(c.name, () => {
      const codec = lengthField({ maxFrameLength: 1024, ...c.opts });
      checkSplits(() => codec.createDecoder(), c.input, [c.decoded]);
      checkSplits(() => codec.createDecoder(), Buffer.concat([c.input, c.input]), [
        c.decoded,
        c.decoded,
      ]);
    });
  }

  it('getting started: the default codec writes a u32 BE payload length', () => {
    const codec = lengthPrefixed();
    const wire = encode(codec.encoder, bytes('hello world'));
    expect(wire).toEqual(bytes([0x00, 0x00, 0x00, 0x0b], 'hello world'));
    checkSplits(() => codec.createDecoder(), wire, [bytes('hello world')]);
  });

  it('encoding: a u16 length field writes 00 0B before the payload', () => {
    const codec = lengthPrefixed({ lengthFieldLength: 2 });
    expect(encode(codec.encoder, bytes('hello world'))).toEqual(bytes([0x00, 0x0b], 'hello world'));
  });
});
