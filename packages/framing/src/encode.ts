import type { Encoder } from './codec.js';

/**
 * Encode one frame into a new Buffer of exactly its wire length. For hot paths prefer
 * `encoder.encodePrefix` (no copy of the frame) or `encodeInto` a buffer you reuse.
 *
 * @throws {@link FramingError} when the encoder refuses the frame (e.g. `IOCP_ERR_FRAME_TOO_LONG`).
 */
export function encode(encoder: Encoder, frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(encoder.encodedLength(frame));
  const end = encoder.encodeInto(frame, out, 0);
  return end === out.length ? out : out.subarray(0, end);
}
