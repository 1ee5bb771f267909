import type { Decoder } from '@iocp/framing';
import { RespLimitError, RespProtocolError } from './errors.js';
import { splitInlineArgs } from './internal/inline.js';
import { RespRequest } from './resp-request.js';

/** The limits a {@link RespRequestDecoder} enforces; see `RespCodecOptions` for defaults. */
export interface RespLimits {
  readonly maxBulkLength: number;
  readonly maxArrayLength: number;
  readonly maxInlineLength: number;
  readonly maxRequestBytes: number;
}

const STAR = 0x2a;
const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;
/** `readInt` results that are not a number. */
const INCOMPLETE = -1;
const INVALID = -2;
/** Digits a length may have (Redis parses with string2ll: 19 digits fit; more is invalid). */
const MAX_DIGITS = 15;
/** Bytes of the next argument worth waiting for: its `$`, checked at once like Redis does. */
const NEXT_ARG_BYTES = 1;

/**
 * Sizes and parses RESP requests, one instance per stream. Follows Redis' own request parser
 * (networking.c, `processMultibulkBuffer` / `processInlineBuffer`) in what it accepts and in
 * the wording of what it refuses, and parses each request exactly once:
 *
 * - `measure` walks the headers (`*N`, then `$len` of each argument), remembers where each
 *   argument lies (relative to the request start) and the state it reached, so a request that
 *   arrives in pieces is never re-scanned from its start; as soon as the last argument's header
 *   is read it answers the request's full length, and while a middle argument's body is still
 *   missing it answers the minimum byte count (`-n`) so it is not asked again too early;
 * - `extract` turns the remembered offsets into `Buffer` views — no second parse.
 *
 * Limits are checked from headers, before any body byte is buffered; a line without CRLF is
 * refused once it is longer than `maxInlineLength`.
 */
export class RespRequestDecoder implements Decoder<RespRequest> {
  /** Upper bound on the bytes one request occupies on the wire, for the frame reader. */
  readonly maxBufferedBytes: number;
  readonly #maxBulk: number;
  readonly #maxArray: number;
  readonly #maxInline: number;
  readonly #maxRequest: number;

  /** Argument count of the multibulk request being measured; -1 = none started. */
  #argc = -1;
  /** Arguments whose header has been read. */
  #n = 0;
  /** Offset (from the request start) of the next thing to read. */
  #pos = 0;
  /** Pairs (offset from request start, length) of the arguments read so far. */
  #offs: number[] = [];
  /** The request of the last `measure`, when it was made there (inline, empty). */
  #inline: RespRequest | undefined = undefined;
  /** Index just past the CRLF of the last line `readInt` finished. */
  #lineEnd = 0;

  /** @param limits - validated limits (see `resp()`). */
  constructor(limits: RespLimits) {
    this.#maxBulk = limits.maxBulkLength;
    this.#maxArray = limits.maxArrayLength;
    this.#maxInline = limits.maxInlineLength;
    this.#maxRequest = limits.maxRequestBytes;
    this.maxBufferedBytes = limits.maxRequestBytes;
  }

  /**
   * Size the request starting at `buf[start]`, reading only `buf[start, end)`.
   *
   * @returns its wire length (possibly more than `end - start`); `0` when more bytes are needed
   *   to know it; `-n` when at least `n` bytes from `start` are needed before it is worth asking
   *   again.
   * @throws {@link RespProtocolError} / {@link RespLimitError}.
   */
  measure(buf: Buffer, start: number, end: number): number {
    if (this.#argc < 0) {
      if (end <= start) return 0;
      if (buf[start] !== STAR) return this.#measureInline(buf, start, end);
      const count = this.#readInt(buf, start + 1, end, true);
      if (count === INCOMPLETE) {
        if (end - start > this.#maxInline) {
          throw new RespLimitError('too big mbulk count string', end - start, this.#maxInline, 'array header');
        }
        return 0;
      }
      if (count === INVALID) throw new RespProtocolError('invalid multibulk length');
      if (count > this.#maxArray) {
        throw new RespLimitError('invalid multibulk length', count, this.#maxArray, 'array');
      }
      const body = this.#lineEnd - start;
      if (count <= 0) {
        // `*0` and `*-1`: an empty request, skipped like Redis does.
        this.#inline = new RespRequest(buf, NO_OFFSETS);
        return body;
      }
      this.#argc = count;
      this.#n = 0;
      this.#pos = body;
    }
    const argc = this.#argc;
    const offs = this.#offs;
    let n = this.#n;
    let pos = start + this.#pos;
    while (n < argc) {
      if (pos >= end) {
        this.#n = n;
        this.#pos = pos - start;
        return -(pos - start + NEXT_ARG_BYTES);
      }
      if (buf[pos] !== DOLLAR) {
        throw new RespProtocolError(`expected '$', got '${String.fromCharCode(buf[pos] as number)}'`);
      }
      const len = this.#readInt(buf, pos + 1, end, false);
      if (len < 0) {
        if (len === INVALID) throw new RespProtocolError('invalid bulk length');
        if (end - pos > this.#maxInline) {
          throw new RespLimitError('too big bulk count string', end - pos, this.#maxInline, 'bulk header');
        }
        this.#n = n;
        this.#pos = pos - start;
        return 0;
      }
      if (len > this.#maxBulk) throw new RespLimitError('invalid bulk length', len, this.#maxBulk, 'bulk');
      const body = this.#lineEnd;
      const next = body + len + 2;
      if (next - start > this.#maxRequest) {
        throw new RespLimitError('too big request', next - start, this.#maxRequest, 'request');
      }
      offs[2 * n] = body - start;
      offs[2 * n + 1] = len;
      n++;
      pos = next;
      if (next > end && n < argc) {
        this.#n = n;
        this.#pos = next - start;
        return -(next - start + NEXT_ARG_BYTES);
      }
    }
    this.#n = n;
    return pos - start;
  }

  /**
   * The request occupying `buf[start, start + length)`, as sized by the last `measure` call.
   * Multibulk arguments stay where they are in `buf` (nothing copied, no view made).
   */
  extract(buf: Buffer, start: number, _length: number): RespRequest {
    const inline = this.#inline;
    if (inline !== undefined) {
      this.#inline = undefined;
      return inline;
    }
    const n = 2 * this.#argc;
    const offs = this.#offs;
    const at: number[] = new Array(n);
    for (let i = 0; i < n; i += 2) {
      at[i] = start + (offs[i] as number);
      at[i + 1] = offs[i + 1] as number;
    }
    this.#argc = -1;
    this.#n = 0;
    this.#pos = 0;
    return new RespRequest(buf, at);
  }

  /** Forget a request in progress: the next `measure` starts at a request boundary. */
  reset(): void {
    this.#argc = -1;
    this.#n = 0;
    this.#pos = 0;
    this.#inline = undefined;
  }

  /**
   * Parse the decimal integer at `buf[from]` up to its CR; `#lineEnd` = the index after its LF.
   * Like Redis, the byte after CR is taken as the LF without looking at it.
   */
  #readInt(buf: Buffer, from: number, end: number, signed: boolean): number {
    let i = from;
    let negative = false;
    if (signed && i < end && buf[i] === MINUS) {
      negative = true;
      i++;
    }
    const digitsFrom = i;
    let value = 0;
    for (;;) {
      if (i >= end) return INCOMPLETE;
      const c = buf[i] as number;
      if (c === CR) break;
      if (c < 0x30 || c > 0x39 || i - digitsFrom >= MAX_DIGITS) return INVALID;
      value = value * 10 + (c - 0x30);
      i++;
    }
    if (i + 1 >= end) return INCOMPLETE;
    if (i === digitsFrom || (buf[digitsFrom] === 0x30 && i - digitsFrom > 1)) return INVALID;
    this.#lineEnd = i + 2;
    // A negative count means an empty request to Redis; 0 here (-1 and -2 are taken).
    return negative ? 0 : value;
  }

  #measureInline(buf: Buffer, start: number, end: number): number {
    const limit = Math.min(end, start + this.#maxInline + 1);
    let i = buf.indexOf(LF, start);
    if (i < 0 || i >= limit) {
      if (end - start > this.#maxInline) {
        throw new RespLimitError('too big inline request', end - start, this.#maxInline, 'inline request');
      }
      return 0;
    }
    const length = i + 1 - start;
    if (i > start && buf[i - 1] === CR) i--;
    const request = splitInlineArgs(buf, start, i);
    if (request === undefined) throw new RespProtocolError('unbalanced quotes in request');
    this.#inline = request;
    return length;
  }
}

const NO_OFFSETS: readonly number[] = [];
