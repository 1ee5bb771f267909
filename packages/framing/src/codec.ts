/**
 * The three contracts every codec in iocp-kit is built from.
 *
 * ```
 *  socket chunks ──► FrameReader (owns partial input) ──► Decoder.measure / extract ──► frames
 *  frames ──► Encoder.encodedLength / encodeInto (or encodePrefix + bytes + suffix) ──► socket
 * ```
 *
 * A decoder never keeps input itself: the {@link FrameReader} holds the unread bytes and asks the
 * decoder two questions — "how long is the next frame?" and "give me the frame that occupies
 * these bytes". That keeps buffering, zero-copy views and the memory bound in one place.
 */

/**
 * Sizes and extracts frames from a byte stream. One instance per stream: a decoder may keep
 * scanning state (a delimiter decoder remembers how far it has looked) between calls. A decoder
 * that keeps no state at all (no `reset`, nothing changes after construction) may be shared by
 * every stream of its codec.
 */
export interface Decoder {
  /**
   * The most bytes the {@link FrameReader} may ever buffer for one frame on the wire (header,
   * body and trailer). A stream that needs more is corrupt: {@link Decoder.measure} must throw
   * before that happens.
   */
  readonly maxBufferedBytes: number;

  /**
   * Size the next frame from the unread bytes `buf[start, end)`.
   *
   * @returns the total wire length of the next frame when it is known — possibly more than
   *   `end - start`, which means "wait until that many bytes are buffered"; or `0` when more
   *   bytes are needed before the length is known (header incomplete, delimiter not seen yet).
   * @throws a `FramingError` (`IOCP_ERR_FRAME_TOO_LONG`, `IOCP_ERR_FRAME_CORRUPT`) when the
   *   stream is corrupt and must end.
   *
   * After a call that returned `0`, the next call sees the same frame start and the same bytes
   * plus more (`end - start` only grows, the buffer may differ), so a decoder may remember how
   * far it has already scanned. Once a frame length is returned, the following call starts at
   * the next frame (or at the same one again after {@link Decoder.reset}).
   */
  measure(buf: Buffer, start: number, end: number): number;

  /**
   * Turn the complete wire frame `buf[start, start + length)` (as sized by the last `measure`
   * call) into the frame handed to the application. Returns a view of `buf` where possible (no
   * copy). `buf` may be a different buffer from the one `measure` saw (the reader copies a frame
   * that spans chunks), but the bytes are the same.
   */
  extract(buf: Buffer, start: number, length: number): Buffer;

  /**
   * Netty's fail-fast flag, read by the {@link FrameReader} when `measure` throws a
   * `FrameTooLongError` whose `wireLength` is known: `true` (default) — the error is thrown at
   * once and the frame's bytes are then skipped as they arrive; `false` — the bytes are skipped
   * first and the error is thrown once the whole frame has gone by. Either way the body is never
   * buffered and decoding can go on with the next frame.
   */
  readonly failFast?: boolean;

  /** Forget any scanning state: the next `measure` starts at a frame boundary. */
  reset?(): void;

  /**
   * Optional, for length-known formats whose frame is "header, then body to the end of the
   * frame": how many wire bytes before the body `extract` would drop from the frame the last
   * `measure` call sized. A {@link FrameReader} in `parts` mode needs it to hand out a frame that
   * spans chunks as views ({@link FrameParts}) instead of copying it; decoders without it are
   * always copied.
   */
  bodyOffset?(length: number): number;
}

/**
 * Turns application frames into wire bytes. Stateless and shareable between connections.
 */
export interface Encoder {
  /** Wire length of `frame` once encoded. Throws a `FramingError` if it cannot be encoded. */
  encodedLength(frame: Uint8Array): number;

  /**
   * Write the wire form of `frame` into `target` at `offset` (the caller guarantees
   * `encodedLength(frame)` bytes of room) and return the offset just after it.
   */
  encodeInto(frame: Uint8Array, target: Uint8Array, offset: number): number;

  /**
   * Present when the wire form is `prefix ++ frame bytes unchanged ++ suffix`: writes only the
   * prefix at `offset` and returns the offset after it, so a large frame can go to the socket
   * as its own buffer without being copied.
   */
  encodePrefix?(frame: Uint8Array, target: Uint8Array, offset: number): number;

  /** Longest prefix `encodePrefix` can write (for sizing scratch space). */
  readonly maxPrefixLength?: number;

  /** Bytes written after the frame when `encodePrefix` is used (e.g. a delimiter). */
  readonly suffix?: Uint8Array;

  /**
   * Like `encodePrefix`, for a frame known only by its length (held as several parts, see
   * {@link FrameParts}): writes the prefix of a `length`-byte frame at `offset` and returns the
   * offset after it. Throws what `encodedLength` would throw for such a frame.
   */
  encodePrefixFor?(length: number, target: Uint8Array, offset: number): number;
}

/**
 * A named pair of decoder factory and encoder: what a listener or connection is configured
 * with.
 */
export interface Codec {
  /** Short name for logs and stats, e.g. `length-field`, `delimiter`, `raw`. */
  readonly name: string;
  /** A decoder for one stream: a fresh one, or the codec's one instance when it is stateless. */
  createDecoder(): Decoder;
  /** The encoder shared by every stream of this codec. */
  readonly encoder: Encoder;
  /**
   * Wire bytes of a keepalive frame that this codec's peers accept and (for echo peers) return,
   * used by transport heartbeats. Absent when the codec has none (raw streams).
   */
  readonly keepalive?: Uint8Array;
}
