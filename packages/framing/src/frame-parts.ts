/**
 * A frame that arrived across several socket chunks, handed out as the views of those chunks it
 * lies in, in order — Netty's `CompositeByteBuf` idea without the class hierarchy. Nothing was
 * copied to build it: forwarding it (`conn.sendParts(frame)` in `@iocp/transport`) writes the
 * same memory back out in one vectored write.
 *
 * ```
 *   chunk 1            chunk 2            chunk 3
 *  [..|hdr|body....]  [body............]  [body..|next frame..]
 *         └─ parts[0] ─┘└──── parts[1] ────┘└ parts[2] ┘
 * ```
 *
 * The views keep their whole chunks alive (at most one chunk of other data at each end) until
 * the frame is dropped. `toBuffer()` joins them when an API needs one contiguous buffer.
 */
export class FrameParts {
  /** The frame's bytes, in order; none is empty. */
  readonly parts: readonly Buffer[];
  /** Total bytes over all parts. */
  readonly length: number;

  constructor(parts: readonly Buffer[], length: number) {
    this.parts = parts;
    this.length = length;
  }

  /** The frame as one new contiguous buffer (one copy). */
  toBuffer(): Buffer {
    return Buffer.concat(this.parts as Buffer[], this.length);
  }
}
