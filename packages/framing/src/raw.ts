import type { Codec, Decoder, Encoder } from './codec.js';
import { checkKeys, intOption, MAX_BUFFER_LENGTH } from './internal/options.js';

/** Default largest frame of {@link raw}: 64 KiB (the usual socket read size). */
export const DEFAULT_RAW_MAX_FRAME_LENGTH = 64 * 1024;

/** Options of {@link raw}. */
export interface RawOptions {
  /**
   * Largest frame handed to the application; a bigger chunk is cut into frames of at most this
   * size. Default 64 KiB.
   */
  maxFrameLength?: number | undefined;
}

class RawDecoder implements Decoder {
  readonly maxBufferedBytes: number;

  constructor(max: number) {
    this.maxBufferedBytes = max;
  }

  measure(_buf: Buffer, start: number, end: number): number {
    const n = end - start;
    return n < this.maxBufferedBytes ? n : this.maxBufferedBytes;
  }

  extract(buf: Buffer, start: number, length: number): Buffer {
    return start === 0 && length === buf.length ? buf : buf.subarray(start, start + length);
  }
}

class RawEncoder implements Encoder {
  readonly maxPrefixLength = 0;

  encodedLength(frame: Uint8Array): number {
    return frame.length;
  }

  encodePrefix(_frame: Uint8Array, _target: Uint8Array, offset: number): number {
    return offset;
  }

  encodePrefixFor(_length: number, _target: Uint8Array, offset: number): number {
    return offset;
  }

  encodeInto(frame: Uint8Array, target: Uint8Array, offset: number): number {
    target.set(frame, offset);
    return offset + frame.length;
  }
}

/**
 * Pass-through (HP-Socket's "transparent transmission"): every chunk read is a frame (cut at
 * `maxFrameLength`), returned as the chunk itself or a view of it; the encoder writes bytes
 * unchanged. No keepalive: a raw stream has no frame a peer would ignore.
 *
 * ```
 *     INPUT chunks            DECODED
 *  [ 68 65 6C ] [ 6C 6F ] --> [ 68 65 6C ] [ 6C 6F ]
 * ```
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function raw(opts?: RawOptions): Codec {
  checkKeys('raw', opts, ['maxFrameLength']);
  const max = intOption(
    'maxFrameLength',
    opts?.maxFrameLength,
    DEFAULT_RAW_MAX_FRAME_LENGTH,
    1,
    MAX_BUFFER_LENGTH,
  );
  return { name: 'raw', createDecoder: () => new RawDecoder(max), encoder: new RawEncoder() };
}
