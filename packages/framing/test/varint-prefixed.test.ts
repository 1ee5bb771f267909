import { describe, expect, it } from 'vitest';
import { encode, lengthField, varintPrefixed } from '../src/index.js';
import { checkSplits, decodeUntilError } from '../src/testing.js';
import { bytes, thrown } from './helpers.js';

describe('varintPrefixed (unsigned LEB128 length)', () => {
  it('encodes lengths as LEB128: 0 → 00, 127 → 7F, 128 → 80 01, 300 → AC 02', () => {
    const codec = varintPrefixed();
    expect(encode(codec.encoder, Buffer.alloc(0))).toEqual(bytes([0x00]));
    expect(encode(codec.encoder, Buffer.alloc(127)).subarray(0, 1)).toEqual(bytes([0x7f]));
    expect(encode(codec.encoder, Buffer.alloc(128)).subarray(0, 2)).toEqual(bytes([0x80, 0x01]));
    expect(encode(codec.encoder, Buffer.alloc(300)).subarray(0, 2)).toEqual(bytes([0xac, 0x02]));
    expect(encode(codec.encoder, Buffer.alloc(300)).length).toBe(302);
  });

  it('decodes at every split, including inside a multi-byte varint', () => {
    const codec = varintPrefixed();
    const frames = [Buffer.alloc(300, 1), bytes('a'), Buffer.alloc(0), Buffer.alloc(128, 2)];
    const wire = Buffer.concat(frames.map((f) => encode(codec.encoder, f)));
    checkSplits(() => codec.createDecoder(), wire, frames);
  });

  it('accepts a non-minimal varint (80 00 = 0), as protobuf does', () => {
    checkSplits(() => varintPrefixed().createDecoder(), bytes([0x80, 0x00]), [Buffer.alloc(0)]);
  });

  it('a varint longer than 8 bytes is corrupt', () => {
    const { error } = decodeUntilError(varintPrefixed().createDecoder(), [Buffer.alloc(8, 0x80)]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
  });

  it('a varint above 2^53 - 1 is corrupt', () => {
    const big = bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]); // 2^56 - 1
    const { error } = decodeUntilError(varintPrefixed().createDecoder(), [big]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
  });

  it('a length above maxFrameLength is too long, from the varint alone', () => {
    const { error } = decodeUntilError(varintPrefixed({ maxFrameLength: 100 }).createDecoder(), [
      bytes([0xe5, 0x00]),
    ]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
  });

  it('works at an offset with the header kept', () => {
    const codec = lengthField({ lengthFieldOffset: 1, lengthFieldLength: 'varint' });
    checkSplits(() => codec.createDecoder(), bytes([0x07, 0x03], 'abc'), [bytes([0x07, 0x03], 'abc')]);
  });

  it('keepalive is the empty frame 00; options are validated', () => {
    expect(varintPrefixed().keepalive).toEqual(bytes([0]));
    expect(thrown(() => varintPrefixed({ maxFrameLength: 1.5 })).code).toBe('IOCP_ERR_INVALID_OPTION');
    expect(thrown(() => varintPrefixed({ lengthFieldLength: 4 } as never)).code).toBe(
      'IOCP_ERR_INVALID_OPTION',
    );
  });
});
