import { describe, expect, it } from 'vitest';
import { FrameReader, encode, raw } from '../src/index.js';
import { decodeChunks } from '../src/testing.js';
import { bytes, thrown } from './helpers.js';

describe('raw', () => {
  it('every chunk is a frame, returned without copying', () => {
    const codec = raw();
    const a = bytes('hel');
    const b = bytes('lo');
    const frames = decodeChunks(codec.createDecoder(), [a, b]);
    expect(frames.map(String)).toEqual(['hel', 'lo']);
    const reader = new FrameReader(codec.createDecoder());
    reader.push(a);
    expect(reader.next()).toBe(a);
  });

  it('cuts chunks above maxFrameLength into views', () => {
    const chunk = Buffer.alloc(10, 1);
    const reader = new FrameReader(raw({ maxFrameLength: 4 }).createDecoder());
    reader.push(chunk);
    const sizes: number[] = [];
    for (let f = reader.next(); f !== undefined; f = reader.next()) {
      expect(f.buffer).toBe(chunk.buffer);
      sizes.push(f.length);
    }
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('encoder writes bytes unchanged; no keepalive', () => {
    const codec = raw();
    expect(encode(codec.encoder, bytes('abc'))).toEqual(bytes('abc'));
    expect(codec.encoder.encodePrefix!(bytes('abc'), Buffer.alloc(0), 3)).toBe(3);
    expect(codec.keepalive).toBeUndefined();
    expect(thrown(() => raw({ maxFrameLength: 0 })).code).toBe('IOCP_ERR_INVALID_OPTION');
  });
});
