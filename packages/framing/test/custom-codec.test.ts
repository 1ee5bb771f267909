import { describe, expect, it } from 'vitest';
import {
  type Codec,
  type Decoder,
  type Encoder,
  FrameCorruptError,
  FrameTooLongError,
  encode,
} from '../src/index.js';
import { bytes, decodeUntilError, expectAllSplits } from './helpers.js';

// The "Write your own codec" example of the README, verbatim in behaviour: a custom codec gets
// partial input, zero-copy and limits from the FrameReader without writing any of it.
class TlvDecoder implements Decoder {
  readonly maxBufferedBytes = 3 + 0xffff;
  measure(buf: Buffer, start: number, end: number): number {
    if (end - start < 3) return 0;
    if (buf[start] === 0) throw new FrameCorruptError('type 0 is reserved');
    return 3 + buf.readUInt16BE(start + 1);
  }
  extract(buf: Buffer, start: number, length: number): Buffer {
    return buf.subarray(start, start + length);
  }
}

const encoder: Encoder = {
  encodedLength: (frame) => frame.length + 2,
  encodeInto(frame, target, offset) {
    if (frame.length - 1 > 0xffff) throw new FrameTooLongError(frame.length - 1, 0xffff);
    target[offset] = frame[0]!;
    target[offset + 1] = (frame.length - 1) >> 8;
    target[offset + 2] = (frame.length - 1) & 0xff;
    target.set(frame.subarray(1), offset + 3);
    return offset + 3 + frame.length - 1;
  },
};

const tlv: Codec = { name: 'tlv', createDecoder: () => new TlvDecoder(), encoder };

describe('README: write your own codec', () => {
  it('the TLV example encodes and decodes at every split', () => {
    const wire = Buffer.concat([encode(tlv.encoder, bytes([7], 'abc')), encode(tlv.encoder, bytes([9]))]);
    expect(wire).toEqual(bytes([7, 0, 3], 'abc', [9, 0, 0]));
    expectAllSplits(() => tlv.createDecoder(), wire, [bytes([7, 0, 3], 'abc'), bytes([9, 0, 0])]);
  });

  it('its corrupt error reaches the caller with its code', () => {
    const { error } = decodeUntilError(tlv.createDecoder(), [bytes([0, 0, 0])]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
  });
});
