import fc from 'fast-check';
import { FrameReader } from '@iocp/framing';
import { arbitraryChunks, checkGarbage, checkSplits, decodeChunks } from '@iocp/framing/testing';
import { describe, expect, it } from 'vitest';
import { RespLimitError, RespProtocolError, type RespRequest, resp } from '../src/index.js';
import { decodeError, decodeErrors, mbulk, req, sameRequest } from './helpers.js';

const binary = Buffer.from([0, 13, 10, 255, 36, 42, 13]);
const stream = Buffer.concat([
  mbulk('SET', 'key', 'hello world'),
  Buffer.from('PING\r\n'),
  mbulk('GET', binary),
  Buffer.from('SET "a b" \'c\\\'d\' "\\x41\\n\\t" plain\r\n'),
  Buffer.from('*0\r\n'),
  Buffer.from('\r\n'),
  mbulk('ECHO', ''),
  Buffer.from('*-1\r\n'),
  Buffer.from('GET x\n'),
  mbulk('MSET', ...Array.from({ length: 20 }, (_, i) => `k${i}`)),
]);
const expected = [
  req('SET', 'key', 'hello world'),
  req('PING'),
  req('GET', binary),
  req('SET', 'a b', "c'd", 'A\n\t', 'plain'),
  req(),
  req(),
  req('ECHO', ''),
  req(),
  req('GET', 'x'),
  req('MSET', ...Array.from({ length: 20 }, (_, i) => `k${i}`)),
];

describe('RESP request decoder', () => {
  it('decodes multibulk, inline (quotes, escapes), empty and binary requests however the stream is cut, reading only its own bytes', () => {
    // Every 2-way cut, 1-byte chunks, and (for short wires) every 3-way cut; fenced: bytes
    // outside buf[start, end) are overwritten with stream bytes (CRLFs, digits, '$').
    expect(checkSplits(resp(), stream, expected, { equals: sameRequest })).toBeGreaterThan(stream.length);
    for (const one of expected) {
      if (one.length === 0) continue;
      const wire = Buffer.concat([mbulk(...one.toArray()), mbulk('PING')]);
      checkSplits(resp(), wire, [one, req('PING')], { equals: sameRequest, threeWayMaxLength: 80 });
    }
  });

  it('decodes any chunking of the stream the same (property)', () => {
    fc.assert(
      fc.property(arbitraryChunks(stream), (chunks) => {
        const got = decodeChunks(resp().createDecoder(), chunks);
        expect(got.length).toBe(expected.length);
        got.forEach((r, i) => expect(sameRequest(r, expected[i] as RespRequest)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('hands multibulk arguments out as views of the received chunk (no copy)', () => {
    const wire = mbulk('SET', 'k', 'v'.repeat(100));
    const reader = new FrameReader(resp().createDecoder());
    reader.push(wire);
    const request = reader.next() as RespRequest;
    expect(request.buffer).toBe(wire);
    expect(request.offset(2)).toBe(wire.length - 102);
    expect(request.arg(2).buffer).toBe(wire.buffer);
    expect(request.latin1(1)).toBe('k');
  });

  it('keeps a partial request without re-reading arguments already sized', () => {
    const decoder = resp().createDecoder();
    const wire = mbulk('SET', 'key', 'x'.repeat(1000));
    // Headers of SET and key read; the value's header says 1000 bytes: the full length is known.
    expect(decoder.measure(wire, 0, 30)).toBe(wire.length);
    expect(decoder.extract(wire, 0, wire.length).toArray().map((b) => b.length)).toEqual([3, 3, 1000]);
    // A middle argument's body still missing: "ask again once it and the next '$' are in".
    const mset = mbulk('MSET', 'k', 'v'.repeat(5000), 'k2', 'v2');
    const d2 = resp().createDecoder();
    const bodyEnd = mset.indexOf('k2') - 4; // after the 5000-byte value and its CRLF
    expect(d2.measure(mset, 0, 40)).toBe(-(bodyEnd + 1));
    expect(d2.measure(mset, 0, mset.length)).toBe(mset.length);
  });

  it('reads only buf[start, end): bytes past end never change the answer', () => {
    const wire = mbulk('GET', 'key');
    for (let end = 0; end < wire.length; end++) {
      const buf = Buffer.concat([wire.subarray(0, end), Buffer.from('\r\n$999\r\n*1\r\n\n')]);
      const answer = resp().createDecoder().measure(buf, 0, end);
      // "need more" (0 or -n), or the request's true length once the last header is in.
      if (answer > 0) expect(answer).toBe(wire.length);
    }
    const inline = Buffer.from('GET key\r\n');
    for (let end = 0; end < inline.length; end++) {
      const buf = Buffer.concat([inline.subarray(0, end), Buffer.from('\n\n')]);
      expect(resp().createDecoder().measure(buf, 0, end)).toBeLessThanOrEqual(0);
    }
  });

  describe('refuses what Redis refuses, with its wording', () => {
    const cases: [string, string, string][] = [
      ['*1\r\nGET\r\n', "Protocol error: expected '$', got 'G'", 'IOCP_ERR_FRAME_CORRUPT'],
      ['*1\r\n$x\r\n', 'Protocol error: invalid bulk length', 'IOCP_ERR_FRAME_CORRUPT'],
      ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length', 'IOCP_ERR_FRAME_CORRUPT'],
      ['*x\r\n', 'Protocol error: invalid multibulk length', 'IOCP_ERR_FRAME_CORRUPT'],
      ['*01\r\n', 'Protocol error: invalid multibulk length', 'IOCP_ERR_FRAME_CORRUPT'],
      ['SET "a\r\n', 'Protocol error: unbalanced quotes in request', 'IOCP_ERR_FRAME_CORRUPT'],
      ['SET "a"b\r\n', 'Protocol error: unbalanced quotes in request', 'IOCP_ERR_FRAME_CORRUPT'],
    ];
    for (const [wire, reply, code] of cases) {
      it(JSON.stringify(wire), () => {
        for (const error of decodeErrors(Buffer.from(wire))) {
          expect(error).toBeInstanceOf(RespProtocolError);
          expect(error.code).toBe(code);
          expect(error.reply).toBe(reply);
        }
      });
    }
  });

  describe('limits: refused from the header, nothing buffered beyond the limit', () => {
    it('maxBulkLength', () => {
      const error = decodeError(Buffer.from('*2\r\n$3\r\nGET\r\n$1025\r\n'), { maxBulkLength: 1024 });
      expect(error).toBeInstanceOf(RespLimitError);
      expect(error.code).toBe('IOCP_ERR_FRAME_TOO_LONG');
      expect(error.reply).toBe('Protocol error: invalid bulk length');
      expect(decodeChunks(resp({ maxBulkLength: 1024 }).createDecoder(), [mbulk('SET', 'k', 'x'.repeat(1024))])).toHaveLength(1);
    });

    it('maxArrayLength', () => {
      const error = decodeError(Buffer.from('*11\r\n'), { maxArrayLength: 10 });
      expect(error).toBeInstanceOf(RespLimitError);
      expect(error.reply).toBe('Protocol error: invalid multibulk length');
    });

    it('maxInlineLength: a line without its newline, a long *N or $N header', () => {
      const opts = { maxInlineLength: 100 };
      expect(decodeError(Buffer.from('x'.repeat(101)), opts).reply).toBe('Protocol error: too big inline request');
      expect(decodeError(Buffer.from(`${'x'.repeat(150)}\r\n`), opts).reply).toBe('Protocol error: too big inline request');
      expect(decodeChunks(resp(opts).createDecoder(), [Buffer.from(`${'x'.repeat(98)}\r\n`)]).map((r) => r.latin1(0))).toEqual(['x'.repeat(98)]);
      const short = { maxInlineLength: 10 };
      expect(decodeError(Buffer.from(`*${'1'.repeat(12)}`), short).reply).toBe('Protocol error: too big mbulk count string');
      expect(decodeError(Buffer.from(`*1\r\n$${'1'.repeat(12)}`), short).reply).toBe('Protocol error: too big bulk count string');
      // A count with more digits than any limit allows is invalid at once, CRLF or not.
      expect(decodeError(Buffer.from(`*${'1'.repeat(16)}`), opts).reply).toBe('Protocol error: invalid multibulk length');
    });

    it('maxRequestBytes: all arguments together', () => {
      const error = decodeError(mbulk('MSET', 'a', 'x'.repeat(600), 'b', 'y'.repeat(600)), { maxRequestBytes: 1000 });
      expect(error.reply).toBe('Protocol error: too big request');
    });

    it('refuses unknown options and limits out of range', () => {
      expect(() => resp({ maxBulk: 1 } as never)).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
      expect(() => resp({ maxBulkLength: 0 })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
      expect(() => resp({ maxArrayLength: 1.5 })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
      expect(resp({ maxBulkLength: undefined }).limits.maxBulkLength).toBe(512 * 1024 * 1024);
    });
  });

  it('garbage: only coded framing errors, bounded memory, termination (property, @iocp/framing/testing)', () => {
    const limits = { maxBulkLength: 4096, maxArrayLength: 64, maxInlineLength: 256, maxRequestBytes: 8192 };
    const alphabet = fc.constantFrom(...'*$\r\n0123456789-x "\''.split(''));
    checkGarbage(resp(limits), {
      valid: fc.array(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 5 }), { maxLength: 6 }).map((reqs) => Buffer.concat(reqs.map((r) => mbulk(...r)))),
      noise: fc.string({ unit: alphabet, maxLength: 300 }).map((t) => Buffer.from(t, 'latin1')),
      numRuns: 400,
    });
  });
});
