import { describe, expect, it } from 'vitest';
import { encode, hpSocketPack } from '../src/index.js';
import { checkSplits, decodeUntilError } from '../src/testing.js';
import { bytes, thrown } from './helpers.js';

describe('hpSocketPack (HP-Socket Pack header)', () => {
  it('header = flag << 22 | body length, 4 bytes little-endian', () => {
    const codec = hpSocketPack({ headerFlag: 0x123 });
    const wire = encode(codec.encoder, bytes('hello world'));
    expect(wire.subarray(0, 4)).toEqual(bytes([0x0b, 0x00, 0xc0, 0x48]));
    expect(wire.readUInt32LE(0)).toBe(((0x123 << 22) | 11) >>> 0);
    checkSplits(() => codec.createDecoder(), Buffer.concat([wire, wire]), [
      bytes('hello world'),
      bytes('hello world'),
    ]);
  });

  it('flag 0x3FF and the largest body length use all 32 bits', () => {
    const codec = hpSocketPack({ headerFlag: 0x3ff, maxPackSize: 0x3fffff });
    const d = codec.createDecoder();
    expect(d.measure(bytes([0xff, 0xff, 0xff, 0xff]), 0, 4)).toBe(0x3fffff + 4);
  });

  it('a different flag is corrupt when a flag is configured', () => {
    const wire = encode(hpSocketPack({ headerFlag: 1 }).encoder, bytes('x'));
    const { error } = decodeUntilError(hpSocketPack({ headerFlag: 2 }).createDecoder(), [wire]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
    expect(error?.message).toContain('0x1');
  });

  it('flag 0 (the default) accepts any flag, as HP-Socket does', () => {
    const wire = encode(hpSocketPack({ headerFlag: 0x2aa }).encoder, bytes('xy'));
    checkSplits(() => hpSocketPack().createDecoder(), wire, [bytes('xy')]);
    expect(encode(hpSocketPack().encoder, bytes('xy')).subarray(0, 4)).toEqual(bytes([2, 0, 0, 0]));
  });

  it('an empty body is refused both ways, as HP-Socket refuses length 0', () => {
    const { error } = decodeUntilError(hpSocketPack().createDecoder(), [bytes([0, 0, 0, 0])]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
    expect(thrown(() => encode(hpSocketPack().encoder, Buffer.alloc(0))).code).toBe(
      'IOCP_ERR_FRAME_CORRUPT',
    );
  });

  it('a body above maxPackSize is too long, from the header alone', () => {
    const { error } = decodeUntilError(hpSocketPack({ maxPackSize: 10 }).createDecoder(), [
      bytes([11, 0, 0, 0]),
    ]);
    expect(error?.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(thrown(() => encode(hpSocketPack({ maxPackSize: 10 }).encoder, Buffer.alloc(11))).code).toBe(
      'IOCP_ERR_FRAME_TOO_LONG',
    );
  });

  it('defaults: flag 0, max 256 KiB; no keepalive (an empty pack would be refused)', () => {
    const codec = hpSocketPack();
    expect(codec.createDecoder().maxBufferedBytes).toBe(0x40000 + 4);
    expect(codec.keepalive).toBeUndefined();
  });

  it('validates headerFlag ≤ 0x3FF and maxPackSize ≤ 0x3FFFFF', () => {
    for (const opts of [
      { headerFlag: 0x400 },
      { headerFlag: -1 },
      { maxPackSize: 0x400000 },
      { maxPackSize: 0 },
      { flag: 1 },
    ]) {
      expect(thrown(() => hpSocketPack(opts as never)).code).toBe('IOCP_ERR_INVALID_OPTION');
    }
  });
});
