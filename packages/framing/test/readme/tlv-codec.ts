import { type Codec, type Decoder, type Encoder, FrameCorruptError, FrameTooLongError } from '../../src/index.js';

// Frames: [length: u16 BE][type: u8][body], length = 1 + body length; the application
// receives type + body (`07 61 62` travels as `00 03 07 61 62` and decodes back to `07 61 62`).
class TlvDecoder implements Decoder {
  readonly maxBufferedBytes = 2 + 0xffff;
  /** Wire length of the next frame, or 0 while the header is incomplete. */
  measure(buf: Buffer, start: number, end: number): number {
    if (end - start < 3) return 0;
    const length = buf.readUInt16BE(start);
    if (length === 0) throw new FrameCorruptError('a frame needs a type byte');
    if (buf[start + 2] === 0) throw new FrameCorruptError('type 0 is reserved');
    return 2 + length;
  }
  /** The frame handed to the application: type + body, a view of the input, never a copy. */
  extract(buf: Buffer, start: number, length: number): Buffer {
    return buf.subarray(start + 2, start + length);
  }
}

const encoder: Encoder = {
  encodedLength(frame) {
    if (frame.length === 0) throw new FrameCorruptError('a frame needs a type byte');
    if (frame.length > 0xffff) throw new FrameTooLongError(frame.length, 0xffff);
    return 2 + frame.length;
  },
  encodeInto(frame, target, offset) {
    target[offset] = frame.length >> 8; // frame = [type][body], as the decoder returns it
    target[offset + 1] = frame.length & 0xff;
    target.set(frame, offset + 2);
    return offset + 2 + frame.length;
  },
};

export const tlv: Codec = { name: 'tlv', createDecoder: () => new TlvDecoder(), encoder };
