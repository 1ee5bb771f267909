import type { Codec } from './codec.js';
import { DEFAULT_MAX_FRAME_LENGTH, lengthFieldCodec } from './internal/length-field-codec.js';
import { MAX_BUFFER_LENGTH, boolOption, checkKeys, intOption } from './internal/options.js';
import { MAX_VARINT_BYTES } from './internal/varint.js';

/** Options of {@link varintPrefixed}. */
export interface VarintPrefixedOptions {
  /** Longest payload (varint not counted). Default 16 MiB. */
  maxFrameLength?: number | undefined;
  /** See {@link LengthFieldOptions.failFast}. Default `true`. */
  failFast?: boolean | undefined;
}

/**
 * Payload length as an unsigned LEB128 varint (as in protobuf's delimited streams), then the
 * payload; the decoded frame is the payload. Varints longer than 8 bytes or above 2^53 - 1 are
 * `IOCP_ERR_FRAME_CORRUPT`.
 *
 * ```
 *     INPUT                          DECODED
 *  +- varint -+--- payload ---+     +--- payload ---+
 *  |  AC 02   |  300 bytes    | --> |  300 bytes    |
 *  +----------+---------------+     +---------------+
 * ```
 *
 * Keepalive: an empty frame (`00`).
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function varintPrefixed(opts?: VarintPrefixedOptions): Codec {
  checkKeys('varintPrefixed', opts, ['maxFrameLength', 'failFast']);
  const o = opts ?? {};
  const maxFrameLength = intOption(
    'maxFrameLength',
    o.maxFrameLength,
    DEFAULT_MAX_FRAME_LENGTH,
    0,
    MAX_BUFFER_LENGTH - MAX_VARINT_BYTES,
  );
  const failFast = boolOption('failFast', o.failFast, true);
  return lengthFieldCodec('varint-prefixed', {
    decoder: {
      offset: 0,
      width: 0,
      littleEndian: false,
      adjustment: 0,
      strip: -1,
      maxFrameLength,
      limitIncludesHeader: false,
      failFast,
    },
    encoder: { width: 0, littleEndian: false, valueAdjustment: 0, maxFrameLength, limitIncludesHeader: false },
  });
}
