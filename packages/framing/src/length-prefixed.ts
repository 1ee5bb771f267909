import type { Codec } from './codec.js';
import { DEFAULT_MAX_FRAME_LENGTH, lengthFieldCodec } from './internal/length-field-codec.js';
import {
  MAX_BUFFER_LENGTH,
  boolOption,
  byteOrderOption,
  checkKeys,
  intOption,
} from './internal/options.js';
import { InvalidOptionError } from './errors.js';
import { U32PrefixDecoder } from './internal/u32-prefix-decoder.js';

/** Options of {@link lengthPrefixed}. */
export interface LengthPrefixedOptions {
  /** Width of the length field in bytes. Default `4`. */
  lengthFieldLength?: 1 | 2 | 3 | 4 | 8 | undefined;
  /** Byte order of the length field. Default `'big'`. */
  byteOrder?: 'big' | 'little' | undefined;
  /**
   * Longest payload (header not counted), checked from the header before the body is read and
   * by the encoder. Default 16 MiB.
   */
  maxFrameLength?: number | undefined;
  /** See {@link LengthFieldOptions.failFast}. Default `true`. */
  failFast?: boolean | undefined;
}

/**
 * The default wire format of iocp-kit: a big-endian unsigned length of the payload, then the
 * payload; the decoded frame is the payload.
 *
 * ```
 *     INPUT                                   DECODED
 *  +-- len: u32 BE --+---- payload ----+     +---- payload ----+
 *  | 00 00 00 0B     |  "hello world"  | --> |  "hello world"  |
 *  +-----------------+-----------------+     +-----------------+
 * ```
 *
 * Keepalive: an empty frame (`00 00 00 00`).
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function lengthPrefixed(opts?: LengthPrefixedOptions): Codec {
  checkKeys('lengthPrefixed', opts, ['lengthFieldLength', 'byteOrder', 'maxFrameLength', 'failFast']);
  const o = opts ?? {};
  const width = o.lengthFieldLength ?? 4;
  if (width !== 1 && width !== 2 && width !== 3 && width !== 4 && width !== 8) {
    throw new InvalidOptionError('lengthFieldLength', `must be 1, 2, 3, 4 or 8, got ${String(width)}`);
  }
  const maxFrameLength = intOption(
    'maxFrameLength',
    o.maxFrameLength,
    DEFAULT_MAX_FRAME_LENGTH,
    0,
    MAX_BUFFER_LENGTH - width,
  );
  const littleEndian = byteOrderOption(o.byteOrder);
  const failFast = boolOption('failFast', o.failFast, true);
  const codec = lengthFieldCodec('length-prefixed', {
    decoder: {
      offset: 0,
      width,
      littleEndian,
      adjustment: 0,
      strip: -1,
      maxFrameLength,
      limitIncludesHeader: false,
      failFast,
    },
    encoder: { width, littleEndian, valueAdjustment: 0, maxFrameLength, limitIncludesHeader: false },
  });
  if (width !== 4 || littleEndian) return codec;
  // Stateless (nothing changes after construction): one instance serves every stream, so a
  // server's connections do not each carry a copy.
  const decoder = new U32PrefixDecoder(maxFrameLength, failFast);
  return { ...codec, createDecoder: () => decoder };
}
