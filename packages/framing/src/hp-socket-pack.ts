import type { Codec, Decoder, Encoder } from './codec.js';
import { FrameCorruptError, FrameTooLongError } from './errors.js';
import { boolOption, checkKeys, intOption } from './internal/options.js';

/** Largest body an HP-Socket Pack header can describe: 22 bits. */
export const HP_PACK_MAX_SIZE_LIMIT = 0x3fffff;
/** Largest Pack header flag: 10 bits. */
export const HP_PACK_HEADER_FLAG_LIMIT = 0x3ff;
/** HP-Socket's default maximum pack size: 256 KiB. */
export const HP_PACK_DEFAULT_MAX_SIZE = 0x40000;

const HEADER = 4;

/** Options of {@link hpSocketPack}; names follow HP-Socket's `SetMaxPackSize` / `SetPackHeaderFlag`. */
export interface HpSocketPackOptions {
  /**
   * Flag in the high 10 bits of every header, `0`–`0x3FF`. When not 0, a header with another
   * flag is corrupt; 0 (the default) writes 0 and accepts any flag, as HP-Socket does.
   */
  headerFlag?: number | undefined;
  /** Longest body (header not counted). `1`–`0x3FFFFF`. Default `0x40000` (256 KiB). */
  maxPackSize?: number | undefined;
  /** See {@link LengthFieldOptions.failFast}. Default `true`. */
  failFast?: boolean | undefined;
}

class PackDecoder implements Decoder {
  readonly maxBufferedBytes: number;
  readonly failFast: boolean;
  readonly #flag: number;
  readonly #max: number;

  constructor(flag: number, max: number, failFast: boolean) {
    this.#flag = flag;
    this.#max = max;
    this.failFast = failFast;
    this.maxBufferedBytes = max + HEADER;
  }

  measure(buf: Buffer, start: number, end: number): number {
    if (end - start < HEADER) return 0;
    const header =
      (buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16)) + buf[start + 3]! * 0x1000000;
    const flag = Math.floor(header / 0x400000);
    const length = header & HP_PACK_MAX_SIZE_LIMIT;
    if (this.#flag !== 0 && flag !== this.#flag) {
      throw new FrameCorruptError(`Pack header flag 0x${flag.toString(16)} is not the expected 0x${this.#flag.toString(16)}`);
    }
    if (length === 0) {
      // HP-Socket rejects a zero body length as a bad length; so do we.
      throw new FrameCorruptError('Pack header announces an empty body (HP-Socket rejects length 0)');
    }
    if (length > this.#max) throw new FrameTooLongError(length, this.#max, length + HEADER, { what: 'pack' });
    return length + HEADER;
  }

  extract(buf: Buffer, start: number, length: number): Buffer {
    return buf.subarray(start + HEADER, start + length);
  }

  bodyOffset(): number {
    return HEADER;
  }
}

class PackEncoder implements Encoder {
  readonly maxPrefixLength = HEADER;
  readonly #flagBits: number;
  readonly #max: number;

  constructor(flag: number, max: number) {
    this.#flagBits = flag * 0x400000;
    this.#max = max;
  }

  #check(length: number): void {
    if (length === 0) {
      throw new FrameCorruptError('an HP-Socket Pack cannot carry an empty body (peers reject length 0)');
    }
    if (length > this.#max) {
      throw new FrameTooLongError(length, this.#max, undefined, { what: 'pack to encode' });
    }
  }

  encodedLength(frame: Uint8Array): number {
    this.#check(frame.length);
    return frame.length + HEADER;
  }

  encodePrefix(frame: Uint8Array, target: Uint8Array, offset: number): number {
    return this.encodePrefixFor(frame.length, target, offset);
  }

  encodePrefixFor(length: number, target: Uint8Array, offset: number): number {
    this.#check(length);
    const header = this.#flagBits + length;
    target[offset] = header & 0xff;
    target[offset + 1] = (header >>> 8) & 0xff;
    target[offset + 2] = (header >>> 16) & 0xff;
    target[offset + 3] = header >>> 24;
    return offset + HEADER;
  }

  encodeInto(frame: Uint8Array, target: Uint8Array, offset: number): number {
    const p = this.encodePrefix(frame, target, offset);
    target.set(frame, p);
    return p + frame.length;
  }
}

/**
 * HP-Socket's Pack model (`TcpPackServer` / `TcpPackClient`), so HP-Socket peers can talk to
 * iocp-kit: a 4-byte little-endian header whose low 22 bits are the body length and high 10
 * bits a flag both sides agree on; the decoded frame is the body.
 *
 * ```
 *            INPUT (flag 0x123, body "hello world")              DECODED
 *  +------- header u32 LE -------+---- body ----+     +---- body ----+
 *  | 0B 00 C0 48                 | hello world  | --> | hello world  |
 *  | = 0x123 << 22 | 11          |              |     |              |
 *  +-----------------------------+--------------+     +--------------+
 * ```
 *
 * HP-Socket rejects packs with an empty body, so this codec refuses them both ways
 * (`IOCP_ERR_FRAME_CORRUPT`) and has no keepalive frame.
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function hpSocketPack(opts?: HpSocketPackOptions): Codec {
  checkKeys('hpSocketPack', opts, ['headerFlag', 'maxPackSize', 'failFast']);
  const o = opts ?? {};
  const flag = intOption('headerFlag', o.headerFlag, 0, 0, HP_PACK_HEADER_FLAG_LIMIT);
  const max = intOption('maxPackSize', o.maxPackSize, HP_PACK_DEFAULT_MAX_SIZE, 1, HP_PACK_MAX_SIZE_LIMIT);
  const failFast = boolOption('failFast', o.failFast, true);
  return {
    name: 'hp-socket-pack',
    createDecoder: () => new PackDecoder(flag, max, failFast),
    encoder: new PackEncoder(flag, max),
  };
}
