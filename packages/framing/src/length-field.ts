import type { Codec } from './codec.js';
import { InvalidOptionError } from './errors.js';
import {
  DEFAULT_MAX_FRAME_LENGTH,
  type ResolvedLengthField,
  lengthFieldCodec,
} from './internal/length-field-codec.js';
import {
  MAX_BUFFER_LENGTH,
  boolOption,
  byteOrderOption,
  checkKeys,
  intOption,
} from './internal/options.js';
import type { FieldWidth } from './internal/uint.js';

/** Width of a length field in bytes, or `'varint'` for unsigned LEB128. */
export type LengthFieldLength = 1 | 2 | 3 | 4 | 8 | 'varint';

/** Default `maxFrameLength` of every length codec: 16 MiB. */
export { DEFAULT_MAX_FRAME_LENGTH };

/**
 * Options of {@link lengthField}: the option set of Netty's `LengthFieldBasedFrameDecoder`
 * (decoding) and `LengthFieldPrepender` (encoding), with the same meaning.
 */
export interface LengthFieldOptions {
  /** Bytes before the length field. Decoding only. Default `0`. */
  lengthFieldOffset?: number | undefined;
  /** Width of the length field: 1, 2, 3, 4, 8 bytes or `'varint'`. Both. Default `4`. */
  lengthFieldLength?: LengthFieldLength | undefined;
  /**
   * Added to the field value to get the number of bytes that follow the length field (negative
   * when the field counts the header too). Decoding; the encoder writes
   * `frame length - lengthAdjustment` unless {@link LengthFieldOptions.encoder} says otherwise.
   * Default `0`.
   */
  lengthAdjustment?: number | undefined;
  /**
   * Bytes cut from the front of each decoded frame, or `'header'` for everything up to the end
   * of the length field (useful with `'varint'`). Decoding only. Default `0` (Netty).
   */
  initialBytesToStrip?: number | 'header' | undefined;
  /**
   * Longest frame on the wire, header included (Netty's meaning). A header announcing more is
   * refused before the body is read. Both (the encoder refuses to produce such a frame).
   * Default 16 MiB.
   */
  maxFrameLength?: number | undefined;
  /** Byte order of a fixed-width length field. Both. Default `'big'`. */
  byteOrder?: 'big' | 'little' | undefined;
  /**
   * Netty's fail-fast flag: `true` — `IOCP_ERR_FRAME_TOO_LONG` is thrown as soon as the header
   * is read; `false` — after the too-long frame has been skipped. Decoding only. Default `true`.
   */
  failFast?: boolean | undefined;
  /**
   * Netty `LengthFieldPrepender` settings, when the encoder should not simply mirror the
   * decoder. The encoder writes `[length field][frame]` with field value
   * `frame length + lengthAdjustment (+ field width if lengthIncludesLengthFieldLength)`.
   * Default: `{ lengthAdjustment: -options.lengthAdjustment }` — the mirror, which round-trips
   * when `lengthFieldOffset` is 0 and the header is stripped.
   */
  encoder?:
    | {
        lengthAdjustment?: number | undefined;
        lengthIncludesLengthFieldLength?: boolean | undefined;
      }
    | undefined;
}

const KEYS = [
  'lengthFieldOffset',
  'lengthFieldLength',
  'lengthAdjustment',
  'initialBytesToStrip',
  'maxFrameLength',
  'byteOrder',
  'failFast',
  'encoder',
] as const;

/** Validate a `lengthFieldLength` value; returns the width (0 = varint). */
function widthOption(value: unknown, fallback: FieldWidth | 0): FieldWidth | 0 {
  if (value === undefined) return fallback;
  if (value === 'varint') return 0;
  if (value === 1 || value === 2 || value === 3 || value === 4 || value === 8) return value;
  throw new InvalidOptionError(
    'lengthFieldLength',
    `must be 1, 2, 3, 4, 8 or 'varint', got ${String(value)}`,
  );
}

/** Validate {@link LengthFieldOptions} (Netty's meaning of `maxFrameLength`). */
function resolveLengthField(opts: LengthFieldOptions | undefined): ResolvedLengthField {
  checkKeys('lengthField', opts, KEYS);
  const o = opts ?? {};
  const maxFrameLength = intOption(
    'maxFrameLength',
    o.maxFrameLength,
    DEFAULT_MAX_FRAME_LENGTH,
    1,
    MAX_BUFFER_LENGTH,
  );
  const width = widthOption(o.lengthFieldLength, 4);
  const offset = intOption('lengthFieldOffset', o.lengthFieldOffset, 0, 0, MAX_BUFFER_LENGTH);
  const minHeader = offset + (width === 0 ? 1 : width);
  if (minHeader > maxFrameLength) {
    throw new InvalidOptionError(
      'maxFrameLength',
      `must be at least lengthFieldOffset + lengthFieldLength = ${minHeader}, got ${maxFrameLength}`,
    );
  }
  const adjustment = intOption(
    'lengthAdjustment',
    o.lengthAdjustment,
    0,
    -MAX_BUFFER_LENGTH,
    MAX_BUFFER_LENGTH,
  );
  let strip: number;
  if (o.initialBytesToStrip === 'header') strip = -1;
  else strip = intOption('initialBytesToStrip', o.initialBytesToStrip, 0, 0, maxFrameLength);
  const littleEndian = byteOrderOption(o.byteOrder);
  const failFast = boolOption('failFast', o.failFast, true);

  let valueAdjustment = -adjustment;
  if (o.encoder !== undefined) {
    checkKeys('lengthField encoder', o.encoder, ['lengthAdjustment', 'lengthIncludesLengthFieldLength']);
    const includes = boolOption(
      'encoder.lengthIncludesLengthFieldLength',
      o.encoder.lengthIncludesLengthFieldLength,
      false,
    );
    if (includes && width === 0) {
      throw new InvalidOptionError(
        'encoder.lengthIncludesLengthFieldLength',
        'cannot be used with a varint length field (its width depends on the value)',
      );
    }
    valueAdjustment =
      intOption(
        'encoder.lengthAdjustment',
        o.encoder.lengthAdjustment,
        0,
        -MAX_BUFFER_LENGTH,
        MAX_BUFFER_LENGTH,
      ) + (includes ? width : 0);
  }
  return {
    decoder: {
      offset,
      width,
      littleEndian,
      adjustment,
      strip,
      maxFrameLength,
      limitIncludesHeader: true,
      failFast,
    },
    encoder: { width, littleEndian, valueAdjustment, maxFrameLength, limitIncludesHeader: true },
  };
}

/**
 * A codec for any binary header that carries the frame length: Netty's
 * `LengthFieldBasedFrameDecoder` / `LengthFieldPrepender` option set with the same semantics.
 *
 * ```
 *  lengthFieldOffset   lengthFieldLength
 *  ├──────────────────┼────────────────┼──────── value + lengthAdjustment bytes ────────┤
 *  [ bytes before     ][ length field  ][ rest of header + body                          ]
 *  ├─ initialBytesToStrip ─┤ cut from the decoded frame
 * ```
 *
 * @throws {@link InvalidOptionError} (`IOCP_ERR_INVALID_OPTION`) for an invalid option.
 */
export function lengthField(opts?: LengthFieldOptions): Codec {
  return lengthFieldCodec('length-field', resolveLengthField(opts));
}
