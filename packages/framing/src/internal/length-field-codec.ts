import type { Codec } from '../codec.js';
import { LengthFieldDecoder, type LengthFieldDecoderConfig } from './length-field-decoder.js';
import { LengthFieldEncoder, type LengthFieldEncoderConfig } from './length-field-encoder.js';

/** Default `maxFrameLength` of every length codec: 16 MiB. */
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/** Resolved configuration shared by the length-field factories. */
export interface ResolvedLengthField {
  readonly decoder: LengthFieldDecoderConfig;
  readonly encoder: LengthFieldEncoderConfig;
}

/**
 * Build a {@link Codec} from resolved settings. The keepalive is the encoding of an empty frame
 * when this codec's own decoder accepts it (field at offset 0), else absent.
 */
export function lengthFieldCodec(name: string, resolved: ResolvedLengthField): Codec {
  const decoderConfig = resolved.decoder;
  const encoder = new LengthFieldEncoder(resolved.encoder);
  let keepalive: Uint8Array | undefined;
  if (decoderConfig.offset === 0) {
    try {
      const empty = new Uint8Array(0);
      const wire = Buffer.alloc(encoder.encodedLength(empty));
      encoder.encodeInto(empty, wire, 0);
      // Only if the same codec decodes it as one frame.
      const probe = new LengthFieldDecoder(decoderConfig);
      if (probe.measure(wire, 0, wire.length) === wire.length) keepalive = wire;
    } catch {
      keepalive = undefined;
    }
  }
  return {
    name,
    createDecoder: () => new LengthFieldDecoder(decoderConfig),
    encoder,
    ...(keepalive === undefined ? {} : { keepalive }),
  };
}

