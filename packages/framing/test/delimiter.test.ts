import { describe, expect, it } from 'vitest';
import { FrameReader, delimiter, encode } from '../src/index.js';
import { checkSplits, decodeUntilError } from '../src/testing.js';
import { bytes, measureCalls, thrown } from './helpers.js';

describe('delimiter', () => {
  it('splits lines on \\n and strips the delimiter', () => {
    const codec = delimiter({ delimiter: '\n' });
    checkSplits(() => codec.createDecoder(), bytes('one\ntwo\n\nthree\n'), [
      bytes('one'),
      bytes('two'),
      bytes(''),
      bytes('three'),
    ]);
  });

  it('keeps the delimiter when stripDelimiter is false', () => {
    const codec = delimiter({ delimiter: '\r\n', stripDelimiter: false });
    checkSplits(() => codec.createDecoder(), bytes('a\r\nbc\r\n'), [bytes('a\r\n'), bytes('bc\r\n')]);
  });

  it('several delimiters: the one ending the shortest frame wins (\\r\\n before \\n)', () => {
    const codec = delimiter({ delimiter: ['\n', '\r\n'] });
    checkSplits(() => codec.createDecoder(), bytes('dos\r\nunix\nx\r\r\n'), [
      bytes('dos'),
      bytes('unix'),
      bytes('x\r'),
    ]);
  });

  it('multi-byte delimiter split across chunks, with partial matches in the data', () => {
    const codec = delimiter({ delimiter: bytes([0xde, 0xad, 0xbe, 0xef]) });
    checkSplits(
      () => codec.createDecoder(),
      bytes([1, 0xde, 0xad, 2, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xde, 0xad, 0xbe, 0xef]),
      [bytes([1, 0xde, 0xad, 2]), bytes([0xde])],
    );
  });

  it('a line longer than maxFrameLength: too long as soon as the limit is passed', () => {
    const codec = delimiter({ delimiter: '\n', maxFrameLength: 5 });
    checkSplits(() => codec.createDecoder(), bytes('12345\n'), [bytes('12345')]);
    const reader = new FrameReader(codec.createDecoder());
    reader.push(bytes('123456'));
    expect(thrown(() => reader.next()).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(reader.failure?.code).toBe('IOCP_ERR_FRAME_TOO_LONG'); // unterminated: stream ends
    expect(reader.bufferedBytes).toBe(0);
  });

  it('a complete over-long line is skipped and the next line decodes', () => {
    const codec = delimiter({ delimiter: '\r\n', maxFrameLength: 5 });
    const reader = new FrameReader(codec.createDecoder());
    reader.push(bytes('toolong\r\nok\r\n'));
    expect(thrown(() => reader.next()).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(reader.next()!.toString()).toBe('ok');
  });

  it('does not rescan a long line from its start as chunks arrive', () => {
    const codec = delimiter({ delimiter: '\r\n', maxFrameLength: 1 << 20 });
    const line = Buffer.alloc(200_000, 0x61);
    const wire = Buffer.concat([line, bytes('\r\n')]);
    const out: Buffer[] = [];
    const { bytes: scanned } = measureCalls('indexOf', () => {
      const reader = new FrameReader(codec.createDecoder());
      for (let i = 0; i < wire.length; i += 1000) {
        reader.push(wire.subarray(i, i + 1000));
        for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(f);
      }
    });
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(line)).toBe(true);
    // Rescanning from the start each time would be ~ 200 chunks × 100 KB = 20 MB.
    expect(scanned).toBeLessThan(3 * wire.length);
  });

  it('encoder appends the first delimiter; encodePrefix writes nothing and suffix is the delimiter', () => {
    const codec = delimiter({ delimiter: ['\r\n', '\n'], maxFrameLength: 4 });
    expect(encode(codec.encoder, bytes('abc'))).toEqual(bytes('abc\r\n'));
    expect(codec.encoder.suffix).toEqual(bytes('\r\n'));
    expect(codec.encoder.encodePrefix!(bytes('abc'), Buffer.alloc(0), 7)).toBe(7);
    expect(thrown(() => encode(codec.encoder, bytes('abcde'))).code).toBe('IOCP_ERR_FRAME_TOO_LONG');
    expect(codec.keepalive).toEqual(bytes('\r\n'));
  });

  it('a stream ending mid-line is truncated', () => {
    const { messages: frames, error } = decodeUntilError(delimiter({ delimiter: '\n' }).createDecoder(), [
      bytes('a\nb'),
    ]);
    expect(frames.map(String)).toEqual(['a']);
    expect(error?.code).toBe('IOCP_ERR_FRAME_TRUNCATED');
  });

  it('validates options', () => {
    for (const opts of [
      undefined,
      {},
      { delimiter: '' },
      { delimiter: [] },
      { delimiter: 5 },
      { delimiter: '\n', maxFrameLength: 0 },
      { delimiter: '\n', stripDelimiter: 1 },
      { delimiter: '\n', strip: true },
    ]) {
      expect(thrown(() => delimiter(opts as never)).code, JSON.stringify(opts)).toBe(
        'IOCP_ERR_INVALID_OPTION',
      );
    }
  });
});
