/**
 * The three contracts every codec in iocp-kit is built from.
 *
 * ```
 *  socket chunks ──► FrameReader (owns partial input) ──► Decoder.measure / extract ──► messages (In)
 *  messages (Out) ──► Encoder.encodedLength / encodeInto (or encodeParts / encodePrefix) ──► socket
 * ```
 *
 * A decoder never keeps input itself: the {@link FrameReader} holds the unread bytes and asks the
 * decoder two questions — "how long is the next frame?" and "give me the frame that occupies
 * these bytes". That keeps buffering, zero-copy views and the memory bound in one place.
 *
 * Typed codecs: the three contracts take the message types as parameters whose defaults are
 * bytes. A byte codec is a `Codec` (`Codec<Buffer, Uint8Array>`): it yields a `Buffer` per frame
 * and encodes a `Uint8Array`. A protocol codec is, say, `Codec<Command, Reply>`: its decoder's
 * `extract` parses the frame it just sized into a `Command` (the handler gets the parsed form,
 * nothing is parsed twice) and its encoder writes a `Reply` straight into the memory it is
 * given (the transport hands it the pooled send buffer).
 */

/**
 * Sizes and extracts frames from a byte stream and turns each into a message of type `In`
 * (`Buffer` by default: the frame's bytes). One instance per stream: a decoder may keep
 * scanning state (a delimiter decoder remembers how far it has looked) between calls. A decoder
 * that keeps no state at all (no `reset`, nothing changes after construction) may be shared by
 * every stream of its codec.
 *
 * Which bytes a decoder may read: only `buf[start, end)` in `measure` and
 * `buf[start, start + length)` in `extract`. Bytes of `buf` outside that range may be stale
 * (left over from earlier input, or never written: the reader's buffers are allocated unsafe)
 * or belong to other data, so every scan must be bounded by `end` — e.g. a hit of
 * `buf.indexOf(x, from)` counts only when it is `< end`. A decoder never writes to `buf`.
 */
export interface Decoder<In = Buffer> {
  /**
   * The most bytes the {@link FrameReader} may ever buffer for one frame on the wire (header,
   * body and trailer). A frame announced longer should make {@link Decoder.measure} throw
   * `IOCP_ERR_FRAME_TOO_LONG` (with its wire length when known, so it can be skipped); a
   * decoder that still cannot size a frame once more than this many bytes of it are buffered
   * gets `IOCP_ERR_FRAME_TOO_LONG` from the reader (the peer sent too much): no decoder needs
   * a size guard of its own.
   */
  readonly maxBufferedBytes: number;

  /**
   * Size the next frame from the unread bytes `buf[start, end)` (read nothing outside them).
   *
   * @returns
   *   - `> 0`: the total wire length of the next frame — possibly more than `end - start`,
   *     which means "wait until that many bytes are buffered";
   *   - `0`: more bytes are needed before the length is known (header incomplete, delimiter
   *     not seen yet): asked again as soon as any byte arrives;
   *   - `-n` (negative): at least `n` bytes from `start` are needed before the length can be
   *     known (`n > end - start`): the reader does not call `measure` again until
   *     `end - start >= n`, so a message whose size shows late is not rescanned on every chunk.
   * @throws a `FramingError` (`IOCP_ERR_FRAME_TOO_LONG`, `IOCP_ERR_FRAME_CORRUPT`) when the
   *   stream is corrupt and must end.
   *
   * After a call that returned `0` or `-n`, the next call sees the same frame start and the
   * same bytes plus more (`end - start` only grows, the buffer may differ), so a decoder may
   * remember how far it has already scanned. Once a frame length is returned, the following
   * call starts at the next frame (or at the same one again after {@link Decoder.reset}).
   */
  measure(buf: Buffer, start: number, end: number): number;

  /**
   * Turn the complete wire frame `buf[start, start + length)` (as sized by the last `measure`
   * call) into the message handed to the application (read nothing outside it). A byte decoder
   * returns a view of `buf` where possible (no copy); a typed decoder parses the frame —
   * holding views of `buf` in the message is fine, the reader never reuses a buffer it handed
   * out. `buf` may be a different buffer from the one `measure` saw (the reader copies a frame
   * that spans chunks), but the bytes are the same. A `FramingError` thrown here ends the
   * stream like one from `measure`.
   */
  extract(buf: Buffer, start: number, length: number): In;

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
   * Optional, for byte decoders (`In` = `Buffer`) of length-known formats whose frame is
   * "header, then body to the end of the frame": how many wire bytes before the body `extract` would drop from the frame the last
   * `measure` call sized. A {@link FrameReader} in `parts` mode needs it to hand out a frame that
   * spans chunks as views ({@link FrameParts}) instead of copying it; decoders without it are
   * always copied.
   */
  bodyOffset?(length: number): number;
}

/**
 * Turns application messages of type `Out` (`Uint8Array` by default: the frame's bytes) into
 * wire bytes. Stateless and shareable between connections.
 *
 * A sender calls `encodedLength(msg)`, then either `encodeInto` memory it reserved for exactly
 * that many bytes (the transport reserves them in its pooled send buffer: the message is
 * written where it will be sent from, no intermediate buffer), or, for a large message, one of
 * the no-copy forms: `encodeParts` (any encoder) or `encodePrefix` (byte encoders).
 */
export interface Encoder<Out = Uint8Array> {
  /**
   * Wire length of `msg` once encoded (every byte `encodeInto` writes, or head plus payloads of
   * `encodeParts`). Throws a `FramingError` if it cannot be encoded.
   */
  encodedLength(msg: Out): number;

  /**
   * Write the wire form of `msg` into `target` at `offset` (the caller guarantees
   * `encodedLength(msg)` bytes of room) and return the offset just after it.
   */
  encodeInto(msg: Out, target: Uint8Array, offset: number): number;

  /**
   * Optional, for large messages whose wire form holds big byte strings unchanged (a RESP bulk
   * reply `$<len>\r\n` + value + `\r\n`, a file chunk behind a header): write the bytes before
   * the first payload (the head, at most `maxPrefixLength` bytes, 64 when absent) into `target`
   * at `offset`, append the rest of the wire form to `payloads` in order — the big byte strings
   * as they are (no copy) and whatever lies between or after them as small arrays — and return
   * the offset just after the head. Head plus payloads must be exactly `encodedLength(msg)`
   * bytes. The transport uses it for a message longer than its copy threshold: small payloads
   * are copied next to the head, large ones are queued as they are, all leave in one vectored
   * write. The payload arrays must not change until they are written.
   */
  encodeParts?(msg: Out, target: Uint8Array, offset: number, payloads: Uint8Array[]): number;

  /**
   * Byte encoders only (`Out` is the frame's bytes). Present when the wire form is
   * `prefix ++ frame bytes unchanged ++ suffix`: writes only the prefix at `offset` and returns
   * the offset after it, so a large frame can go to the socket as its own buffer without being
   * copied.
   */
  encodePrefix?(frame: Out, target: Uint8Array, offset: number): number;

  /** Longest prefix `encodePrefix`, or head `encodeParts`, can write (for sizing scratch space). */
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
 * with. `In` is what the decoder yields (what the app receives), `Out` what the encoder takes
 * (what the app sends); both default to bytes.
 */
export interface Codec<In = Buffer, Out = Uint8Array> {
  /** Short name for logs and stats, e.g. `length-field`, `delimiter`, `raw`. */
  readonly name: string;
  /** A decoder for one stream: a fresh one, or the codec's one instance when it is stateless. */
  createDecoder(): Decoder<In>;
  /** The encoder shared by every stream of this codec. */
  readonly encoder: Encoder<Out>;
  /**
   * Wire bytes of a keepalive frame that this codec's peers accept and (for echo peers) return,
   * used by transport heartbeats. Absent when the codec has none (raw streams).
   */
  readonly keepalive?: Uint8Array;
}
