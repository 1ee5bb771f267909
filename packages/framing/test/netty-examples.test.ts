import { describe, expect, it } from 'vitest';
import { encode, lengthField, type LengthFieldOptions } from '../src/index.js';
import { checkSplits } from '../src/testing.js';
import { bytes } from './helpers.js';

// The seven byte diagrams of Netty's LengthFieldBasedFrameDecoder javadoc (BEFORE → AFTER
// DECODE), each checked at every split position of the input, plus the LengthFieldPrepender
// javadoc examples for the encoder.
const CONTENT = 'HELLO, WORLD'; // 12 bytes

const cases: Array<{
  name: string;
  opts: LengthFieldOptions;
  input: Buffer;
  decoded: Buffer;
  /** BEFORE / AFTER DECODE sizes printed in the javadoc. */
  sizes: [number, number];
}> = [
  {
    name: '2-byte length at offset 0, header kept',
    opts: { lengthFieldOffset: 0, lengthFieldLength: 2, lengthAdjustment: 0, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x0c], CONTENT),
    decoded: bytes([0x00, 0x0c], CONTENT),
    sizes: [14, 14],
  },
  {
    name: '2-byte length at offset 0, header stripped',
    opts: { lengthFieldOffset: 0, lengthFieldLength: 2, lengthAdjustment: 0, initialBytesToStrip: 2 },
    input: bytes([0x00, 0x0c], CONTENT),
    decoded: bytes(CONTENT),
    sizes: [14, 12],
  },
  {
    name: '2-byte length counting the whole message, header kept',
    opts: { lengthFieldOffset: 0, lengthFieldLength: 2, lengthAdjustment: -2, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x0e], CONTENT),
    decoded: bytes([0x00, 0x0e], CONTENT),
    sizes: [14, 14],
  },
  {
    name: '3-byte length at the end of a 5-byte header, header kept',
    opts: { lengthFieldOffset: 2, lengthFieldLength: 3, lengthAdjustment: 0, initialBytesToStrip: 0 },
    input: bytes([0xca, 0xfe, 0x00, 0x00, 0x0c], CONTENT),
    decoded: bytes([0xca, 0xfe, 0x00, 0x00, 0x0c], CONTENT),
    sizes: [17, 17],
  },
  {
    name: '3-byte length at the beginning of a 5-byte header, header kept',
    opts: { lengthFieldOffset: 0, lengthFieldLength: 3, lengthAdjustment: 2, initialBytesToStrip: 0 },
    input: bytes([0x00, 0x00, 0x0c, 0xca, 0xfe], CONTENT),
    decoded: bytes([0x00, 0x00, 0x0c, 0xca, 0xfe], CONTENT),
    sizes: [17, 17],
  },
  {
    name: '2-byte length at offset 1 of a 4-byte header, HDR1 and length stripped',
    opts: { lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: 1, initialBytesToStrip: 3 },
    input: bytes([0xca, 0x00, 0x0c, 0xfe], CONTENT),
    decoded: bytes([0xfe], CONTENT),
    sizes: [16, 13],
  },
  {
    name: '2-byte length at offset 1 counting the whole message, HDR1 and length stripped',
    opts: { lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: -3, initialBytesToStrip: 3 },
    input: bytes([0xca, 0x00, 0x10, 0xfe], CONTENT),
    decoded: bytes([0xfe], CONTENT),
    sizes: [16, 13],
  },
];

describe('Netty LengthFieldBasedFrameDecoder javadoc examples', () => {
  for (const c of cases) {
    it(c.name, () => {
      const codec = lengthField({ maxFrameLength: 1024, ...c.opts });
      expect([c.input.length, c.decoded.length]).toEqual(c.sizes);
      // One frame, then the same frame twice back to back, at every split position.
      checkSplits(() => codec.createDecoder(), c.input, [c.decoded]);
      checkSplits(() => codec.createDecoder(), Buffer.concat([c.input, c.input]), [
        c.decoded,
        c.decoded,
      ]);
    });
  }
});

describe('Netty LengthFieldPrepender javadoc examples', () => {
  it('LengthFieldPrepender(2): 2-byte length of the content', () => {
    const codec = lengthField({ lengthFieldLength: 2, initialBytesToStrip: 2 });
    expect(encode(codec.encoder, bytes(CONTENT))).toEqual(bytes([0x00, 0x0c], CONTENT));
  });

  it('LengthFieldPrepender(2, true): the length includes the length field', () => {
    const codec = lengthField({
      lengthFieldLength: 2,
      encoder: { lengthIncludesLengthFieldLength: true },
    });
    expect(encode(codec.encoder, bytes(CONTENT))).toEqual(bytes([0x00, 0x0e], CONTENT));
  });

  it('mirrors a decoder whose length counts the header (lengthAdjustment -2)', () => {
    const codec = lengthField({ lengthFieldLength: 2, lengthAdjustment: -2, initialBytesToStrip: 2 });
    const wire = encode(codec.encoder, bytes(CONTENT));
    expect(wire).toEqual(bytes([0x00, 0x0e], CONTENT));
    checkSplits(() => codec.createDecoder(), wire, [bytes(CONTENT)]);
  });
});
