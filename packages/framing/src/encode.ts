import type { Encoder } from './codec.js';

/**
 * Encode one message (a frame's bytes for a byte codec, the codec's message type for a typed
 * one) into a new Buffer of exactly its wire length. For hot paths prefer
 * `encoder.encodePrefix` (no copy of the frame) or `encodeInto` a buffer you reuse.
 *
 * @throws {@link FramingError} when the encoder refuses the message (e.g. `IOCP_ERR_FRAME_TOO_LONG`).
 */
export function encode<Out = Uint8Array>(encoder: Encoder<Out>, msg: Out): Buffer {
  const out = Buffer.allocUnsafe(encoder.encodedLength(msg));
  const end = encoder.encodeInto(msg, out, 0);
  return end === out.length ? out : out.subarray(0, end);
}
