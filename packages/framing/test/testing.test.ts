import { AssertionError } from 'node:assert';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Decoder, FrameCorruptError, delimiter, lengthPrefixed } from '../src/index.js';
import {
  arbitraryChunks,
  checkGarbage,
  checkSplits,
  chunkings,
  decodeChunks,
  decodeUntilError,
  encodeAll,
} from '../src/testing.js';

/** A line decoder with the classic bug: it trusts `indexOf` past `end`. */
function sloppyLines(): Decoder<string> {
  return {
    maxBufferedBytes: 1000,
    measure(buf, start) {
      const lf = buf.indexOf(0x0a, start);
      return lf < 0 ? 0 : lf - start + 1;
    },
    extract: (buf, start, length) => buf.toString('latin1', start, start + length - 1),
  };
}

/** The same decoder done right. */
function lines(): Decoder<string> {
  return {
    maxBufferedBytes: 1000,
    measure(buf, start, end) {
      const lf = buf.indexOf(0x0a, start);
      return lf < 0 || lf >= end ? 0 : lf - start + 1;
    },
    extract: (buf, start, length) => buf.toString('latin1', start, start + length - 1),
  };
}

const WIRE = Buffer.from('ab\ncde\n\nf\n', 'latin1');

describe('@iocp/framing/testing', () => {
  it('chunkings: whole, every 2-way and 3-way cut, 1-byte chunks, all views of the wire', () => {
    const all = [...chunkings(WIRE)];
    const n = WIRE.length;
    expect(all.length).toBe(1 + (n - 1) + ((n - 1) * (n - 2)) / 2 + 1);
    for (const c of all) expect(Buffer.concat(c).equals(WIRE)).toBe(true);
    expect(all.at(-1)!.every((c) => c.length === 1)).toBe(true);
    expect([...chunkings(Buffer.alloc(100), { threeWayMaxLength: 10 })].length).toBe(1 + 99 + 1);
  });

  it('checkSplits passes a correct typed decoder and returns the number of chunkings', () => {
    expect(checkSplits(lines, WIRE, ['ab', 'cde', '', 'f'])).toBeGreaterThan(WIRE.length);
  });

  it('checkSplits catches a decoder that reads past `end` (the fence)', () => {
    expect(() => checkSplits(sloppyLines, WIRE, ['ab', 'cde', '', 'f'])).toThrow(AssertionError);
    // without the fence the bug hides in these chunkings
    expect(() => checkSplits(sloppyLines, WIRE, ['ab', 'cde', '', 'f'], { fence: false })).not.toThrow();
  });

  it('checkSplits catches a decoder that is wrong only when a frame spans chunks, and names the chunking', () => {
    const flaky = (): Decoder<string> => {
      const d = lines();
      return { ...d, measure: (b, s, e) => (e - s === 4 ? 2 : d.measure(b, s, e)) };
    };
    expect(() => checkSplits(flaky, WIRE, ['ab', 'cde', '', 'f'])).toThrow(/chunks of \d+(\+\d+)* bytes/);
  });

  it('checkSplits compares typed messages with the given equality, default deep equality', () => {
    const objects = (): Decoder<{ line: string }> => {
      const d = lines();
      return { ...d, extract: (b, s, l) => ({ line: d.extract(b, s, l) }) };
    };
    checkSplits(objects, WIRE, [{ line: 'ab' }, { line: 'cde' }, { line: '' }, { line: 'f' }]);
    expect(() => checkSplits(objects, WIRE, [{ line: 'AB' }, { line: 'cde' }, { line: '' }, { line: 'f' }])).toThrow(AssertionError);
    checkSplits(objects, WIRE, [{ line: 'AB' }, { line: 'CDE' }, { line: '' }, { line: 'F' }], {
      equals: (a, b) => a.line.toUpperCase() === b.line,
    });
  });

  it('checkSplits works on byte codecs (bytes compared by value)', () => {
    const codec = lengthPrefixed();
    const frames = [Buffer.from('x'), new Uint8Array([1, 2, 3]), Buffer.alloc(0)];
    checkSplits<Uint8Array>(codec, encodeAll(codec.encoder, frames), frames);
  });

  it('arbitraryChunks: any chunking of the wire, views that join back to it', () => {
    fc.assert(
      fc.property(arbitraryChunks(WIRE), (chunks) => {
        expect(Buffer.concat(chunks).equals(WIRE)).toBe(true);
        expect(decodeChunks(lines(), chunks)).toEqual(['ab', 'cde', '', 'f']);
      }),
      { numRuns: 50 },
    );
  });

  it('decodeUntilError returns the messages before the error and the error', () => {
    const { messages, error } = decodeUntilError(lines(), [Buffer.from('a\nb')]);
    expect(messages).toEqual(['a']);
    expect(error?.code).toBe('IOCP_ERR_FRAME_TRUNCATED');
  });

  it('checkGarbage passes the built-in codecs and a careful typed decoder', () => {
    checkGarbage(delimiter({ delimiter: '\n', maxFrameLength: 50 }), { numRuns: 50 });
    checkGarbage(lines, { numRuns: 50 });
  });

  it('checkGarbage catches a decoder that throws an uncoded error on bad input', () => {
    const digits = (): Decoder<number> => {
      const d = lines();
      return {
        ...d,
        extract(b, s, l) {
          const n = Number(d.extract(b, s, l));
          if (Number.isNaN(n)) throw new TypeError('not a number');
          return n;
        },
      };
    };
    expect(() => checkGarbage(digits, { numRuns: 100 })).toThrow(/IOCP_ERR_DECODER_CONTRACT|TypeError/);
    const coded = (): Decoder<number> => {
      const d = digits();
      return {
        ...d,
        extract(b, s, l) {
          try {
            return d.extract(b, s, l);
          } catch {
            throw new FrameCorruptError('not a number');
          }
        },
      };
    };
    checkGarbage(coded, { numRuns: 100 });
  });

  it('checkGarbage catches a decoder that sizes frames over its own maxBufferedBytes', () => {
    const greedy = (): Decoder => ({ maxBufferedBytes: 10, measure: () => 5000, extract: (b) => b });
    expect(() => checkGarbage(greedy, { numRuns: 20 })).toThrow();
  });
});
