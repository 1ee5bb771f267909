import type { Codec, Decoder, Encoder } from './codec.js';
import { FrameTooLongError, InvalidOptionError } from './errors.js';
import { MAX_BUFFER_LENGTH, boolOption, checkKeys, intOption } from './internal/options.js';

/** Default longest line of {@link delimiter}: 64 KiB. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/** A delimiter: a string (UTF-8) or bytes. */
export type DelimiterBytes = string | Uint8Array;

/** Options of {@link delimiter}. */
export interface DelimiterOptions {
  /**
   * One delimiter or several (e.g. `['\r\n', '\n']`). When several match, the one ending the
   * shortest frame wins (Netty's rule); on a tie, the first listed. The encoder appends the first.
   * Required.
   */
  delimiter: DelimiterBytes | readonly DelimiterBytes[];
  /** Remove the delimiter from decoded frames. Decoding only. Default `true`. */
  stripDelimiter?: boolean | undefined;
  /**
   * Longest frame, delimiter not counted. Decoding fails as soon as that many bytes have
   * arrived without a delimiter; the encoder refuses longer frames. Default 64 KiB.
   */
  maxFrameLength?: number | undefined;
}

class DelimiterDecoder implements Decoder {
  readonly maxBufferedBytes: number;
  readonly #delimiters: readonly Buffer[];
  readonly #maxDelimiter: number;
  readonly #strip: boolean;
  readonly #max: number;
  /** Bytes after the frame start already searched without finding a delimiter. */
  #scanned = 0;
  /** Length of the delimiter that ended the frame last sized. */
  #found = 0;

  constructor(delimiters: readonly Buffer[], strip: boolean, max: number) {
    this.#delimiters = delimiters;
    this.#maxDelimiter = Math.max(...delimiters.map((d) => d.length));
    this.#strip = strip;
    this.#max = max;
    this.maxBufferedBytes = max + this.#maxDelimiter;
  }

  measure(buf: Buffer, start: number, end: number): number {
    const from = start + this.#scanned;
    const view = buf.subarray(from, end);
    let best = -1;
    let bestLength = 0;
    for (const d of this.#delimiters) {
      const i = d.length === 1 ? view.indexOf(d[0]!) : view.indexOf(d);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        bestLength = d.length;
      }
    }
    if (best >= 0) {
      const length = from - start + best;
      this.#scanned = 0;
      if (length > this.#max) {
        throw new FrameTooLongError(length, this.#max, length + bestLength, { what: 'line' });
      }
      this.#found = bestLength;
      return length + bestLength;
    }
    // No delimiter: the last (longest delimiter - 1) bytes may begin one; rescan only those.
    const settled = Math.max(0, end - start - (this.#maxDelimiter - 1));
    if (settled > this.#max) {
      this.#scanned = 0;
      throw new FrameTooLongError(settled, this.#max, undefined, { what: 'unterminated line' });
    }
    this.#scanned = settled;
    return 0;
  }

  extract(buf: Buffer, start: number, length: number): Buffer {
    return buf.subarray(start, this.#strip ? start + length - this.#found : start + length);
  }

  reset(): void {
    this.#scanned = 0;
  }
}

class DelimiterEncoder implements Encoder {
  readonly maxPrefixLength = 0;
  readonly suffix: Uint8Array;
  readonly #max: number;

  constructor(suffix: Buffer, max: number) {
    this.suffix = suffix;
    this.#max = max;
  }

  #check(frame: Uint8Array): void {
    if (frame.length > this.#max) {
      throw new FrameTooLongError(frame.length, this.#max, undefined, { what: 'line to encode' });
    }
  }

  encodedLength(frame: Uint8Array): number {
    this.#check(frame);
    return frame.length + this.suffix.length;
  }

  encodePrefix(frame: Uint8Array, _target: Uint8Array, offset: number): number {
    this.#check(frame);
    return offset;
  }

  encodePrefixFor(length: number, _target: Uint8Array, offset: number): number {
    if (length > this.#max) {
      throw new FrameTooLongError(length, this.#max, undefined, { what: 'line to encode' });
    }
    return offset;
  }

  encodeInto(frame: Uint8Array, target: Uint8Array, offset: number): number {
    this.#check(frame);
    target.set(frame, offset);
    target.set(this.suffix, offset + frame.length);
    return offset + frame.length + this.suffix.length;
  }
}

function toBytes(d: unknown): Buffer {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (d instanceof Uint8Array) return Buffer.from(d);
  throw new InvalidOptionError('delimiter', `must be a string or Uint8Array, got ${String(d)}`);
}

/**
 * Frames ended by a delimiter, such as text lines (`'\n'`, `'\r\n'`). The decoder remembers how
 * far it has searched, so a long line arriving in many chunks is scanned once. The encoder
 * appends the first delimiter and does not look inside frames: a frame containing the delimiter
 * decodes as several frames.
 *
 * ```
 *     INPUT                       DECODED (stripDelimiter: true)
 *  +---- line ----+- \r\n -+     +---- line ----+
 *  |  "HELLO"     | 0D 0A  | --> |  "HELLO"     |
 *  +--------------+--------+     +--------------+
 * ```
 *
 * Keepalive: the first delimiter alone (an empty line).
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function delimiter(opts: DelimiterOptions): Codec {
  if (opts === undefined) throw new InvalidOptionError('delimiter', 'is required');
  checkKeys('delimiter', opts, ['delimiter', 'stripDelimiter', 'maxFrameLength']);
  const raw: readonly unknown[] = Array.isArray(opts.delimiter) ? opts.delimiter : [opts.delimiter];
  if (raw.length === 0) throw new InvalidOptionError('delimiter', 'needs at least one delimiter');
  const delimiters = raw.map(toBytes);
  if (delimiters.some((d) => d.length === 0)) {
    throw new InvalidOptionError('delimiter', 'a delimiter cannot be empty');
  }
  const strip = boolOption('stripDelimiter', opts.stripDelimiter, true);
  const longest = Math.max(...delimiters.map((d) => d.length));
  const max = intOption(
    'maxFrameLength',
    opts.maxFrameLength,
    DEFAULT_MAX_LINE_LENGTH,
    1,
    MAX_BUFFER_LENGTH - longest,
  );
  const first = delimiters[0]!;
  return {
    name: 'delimiter',
    createDecoder: () => new DelimiterDecoder(delimiters, strip, max),
    encoder: new DelimiterEncoder(first, max),
    keepalive: Buffer.from(first),
  };
}
