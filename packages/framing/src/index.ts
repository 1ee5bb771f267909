export type { Codec, Decoder, Encoder } from './codec.js';
export { FrameParts } from './frame-parts.js';
export { FrameReader, type FrameReaderOptions } from './frame-reader.js';
export {
  DEFAULT_MAX_FRAME_LENGTH,
  lengthField,
  type LengthFieldLength,
  type LengthFieldOptions,
} from './length-field.js';
export { lengthPrefixed, type LengthPrefixedOptions } from './length-prefixed.js';
export { varintPrefixed, type VarintPrefixedOptions } from './varint-prefixed.js';
export {
  HP_PACK_DEFAULT_MAX_SIZE,
  HP_PACK_HEADER_FLAG_LIMIT,
  HP_PACK_MAX_SIZE_LIMIT,
  hpSocketPack,
  type HpSocketPackOptions,
} from './hp-socket-pack.js';
export {
  DEFAULT_MAX_LINE_LENGTH,
  delimiter,
  type DelimiterBytes,
  type DelimiterOptions,
} from './delimiter.js';
export { DEFAULT_RAW_MAX_FRAME_LENGTH, raw, type RawOptions } from './raw.js';
export { encode } from './encode.js';
export {
  DecoderContractError,
  FrameCorruptError,
  FrameTooLongError,
  FrameTruncatedError,
  FramingError,
  InvalidOptionError,
  IocpError,
} from './errors.js';
