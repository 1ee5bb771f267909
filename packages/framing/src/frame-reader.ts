import type { Decoder } from './codec.js';
import { FrameParts } from './frame-parts.js';
import {
  DecoderContractError,
  FrameTooLongError,
  FrameTruncatedError,
  FramingError,
  InvalidOptionError,
} from './errors.js';

/** Smallest amount copied at once while a frame's length is still unknown. */
const MIN_STEP = 64;
/** Returned by `onMeasureError` when the reader entered discard mode and should go on. */
const SKIPPING = -1;
const EMPTY = Buffer.alloc(0);

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /**
   * What happens to a frame whose length is known but that continues past the current chunk.
   * `'copy'` (default): it is copied once into a buffer of its final size and handed out as one
   * `Buffer`. `'parts'`: `nextFrame()` hands it out as a {@link FrameParts} — the views of the
   * chunks it lies in, the body not copied (only a header that itself arrived split makes the
   * first part a small copy) — when the decoder implements `bodyOffset` (length-field formats);
   * `next()` still joins them. Frames inside one chunk are views either way.
   */
  spanning?: 'copy' | 'parts' | undefined;
}

/**
 * Turns a stream of byte chunks, cut anywhere, into whole frames. This is the one place in
 * iocp-kit that accumulates partial input; decoders only size and extract frames.
 *
 * ```
 *  push(chunk) ──► [ frames inside the chunk ] ──► next() returns views of the chunk (no copy)
 *                  [ frame crossing the end  ] ──► copied once into a buffer of its final size
 *                                                   as soon as its length is known
 * ```
 *
 * Usage: `push()` each chunk, then call `next()` until it returns `undefined`; call `end()`
 * when the stream ends.
 *
 * Frames become messages: the reader hands out what `decoder.extract` returns — the frame's
 * `Buffer` for byte codecs, a parsed message (`In`) for typed ones.
 *
 * Memory policy:
 * - the reader never copies more than `decoder.maxBufferedBytes` bytes for one frame; when the
 *   decoder still cannot size a frame once that many bytes of it are buffered, or asks for at
 *   least more than that (`measure` returned `-n`), the reader throws `IOCP_ERR_FRAME_TOO_LONG`
 *   (the peer sent too much) and the stream ends;
 * - once the last frame of a chunk has been taken and no frame is partial, it holds no buffer
 *   and no reference to any chunk;
 * - a frame body announced as too long is skipped as it arrives, never buffered;
 * - chunks pushed before the previous one was drained with `next()` are queued as they are
 *   (the caller owns that memory: drain before pushing, or pause the source).
 *
 * With `{ spanning: 'parts' }` a frame that spans chunks is not copied: `nextFrame()` returns it
 * as a {@link FrameParts} made of views of the chunks it lies in. Those views keep their chunks
 * alive, so the memory held for such a frame is its length plus at most one chunk of other bytes
 * at each end.
 *
 * Errors: `next()` throws {@link FramingError}s. After `IOCP_ERR_FRAME_TOO_LONG` with a known
 * wire length the reader skips that frame and decoding may go on (Netty's discard mode, see
 * {@link Decoder.failFast}); after any other error the reader is failed: `next()` throws the
 * same error again, `push()` drops its input, and only `reset()` revives it.
 */
export class FrameReader<In = Buffer> {
  /** The decoder this reader feeds. */
  readonly decoder: Decoder<In>;
  readonly #maxBuffered: number;

  /** The chunk being read (undefined when all input has been consumed). */
  #chunk: Buffer | undefined = undefined;
  /** Read position in `#chunk`. */
  #pos = 0;
  /** Chunks pushed while `#chunk` still had unread bytes (rare; created lazily). */
  #queue: Buffer[] | undefined = undefined;
  #queuedBytes = 0;

  /** Bytes of a frame that started in an earlier chunk. */
  #acc: Buffer | undefined = undefined;
  #accLen = 0;
  /** Final wire length of the frame in `#acc`, or 0 while it is unknown. */
  #need = 0;
  /** While the length is unknown: bytes `#acc` must hold before `measure` is asked again. */
  #want = 0;

  /** Parts mode: views of the spanning frame so far (wire bytes, header included). */
  #parts: Buffer[] | undefined = undefined;
  /** Parts mode: header bytes to drop from the front of `#parts`. */
  #bodyOffset = 0;
  readonly #partsMode: boolean;

  /** Bytes of a too-long frame still to skip. */
  #discard = 0;
  /** A too-long error to throw once its frame has been skipped (`failFast: false`). */
  #deferred: FramingError | undefined = undefined;
  /** The error that ended the stream. */
  #failure: FramingError | undefined = undefined;

  constructor(decoder: Decoder<In>, options?: FrameReaderOptions) {
    const spanning = options?.spanning ?? 'copy';
    if (spanning !== 'copy' && spanning !== 'parts') {
      throw new InvalidOptionError('spanning', `must be 'copy' or 'parts', got ${String(spanning)}`);
    }
    this.#partsMode = spanning === 'parts' && typeof decoder?.bodyOffset === 'function';
    const max = decoder?.maxBufferedBytes;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) {
      throw new InvalidOptionError(
        'decoder.maxBufferedBytes',
        `must be a positive safe integer, got ${String(max)}`,
      );
    }
    this.decoder = decoder;
    this.#maxBuffered = max;
  }

  /**
   * Bytes held by the reader: unread input plus the partial frame. `0` between frames once
   * every frame has been taken.
   */
  get bufferedBytes(): number {
    const chunk = this.#chunk;
    return (chunk === undefined ? 0 : chunk.length - this.#pos) + this.#queuedBytes + this.#accLen;
  }

  /**
   * True when the reader holds nothing and sits at a frame boundary: no unread input, no partial
   * frame, no frame being skipped, no error pending or final. Such a reader can be dropped and
   * the rest of the stream pushed into a new `FrameReader` on the same decoder (with the same
   * options): the frames decoded are the same. `bufferedBytes` is `0` too while a too-long frame
   * is being skipped; `idle` is not.
   */
  get idle(): boolean {
    return (
      this.#chunk === undefined &&
      this.#acc === undefined &&
      this.#parts === undefined &&
      this.#discard === 0 &&
      this.#deferred === undefined &&
      this.#failure === undefined
    );
  }

  /** The error that ended this stream, if any (cleared by `reset()`). */
  get failure(): FramingError | undefined {
    return this.#failure;
  }

  /**
   * Hand the reader the next chunk of the stream. The reader keeps a reference (frames inside
   * it are returned as views), so the caller must not reuse the chunk's memory for other data.
   * Empty chunks are ignored; after a fatal error input is dropped.
   */
  push(chunk: Uint8Array): void {
    if (this.#failure !== undefined || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#chunk === undefined) {
      this.#chunk = buf;
      this.#pos = 0;
    } else {
      if (this.#queue === undefined) this.#queue = [];
      this.#queue.push(buf);
      this.#queuedBytes += buf.length;
    }
  }

  /**
   * The next complete message (what `decoder.extract` returned), or `undefined` when more
   * input is needed. In `parts` mode (byte decoders only) a frame that spanned chunks is joined
   * into one buffer here; use `nextFrame()` to get it without the copy.
   *
   * @throws {@link FramingError} `IOCP_ERR_FRAME_TOO_LONG`, `IOCP_ERR_FRAME_CORRUPT`,
   *   `IOCP_ERR_DECODER_CONTRACT`.
   */
  next(): In | undefined {
    const frame = this.nextFrame();
    return frame instanceof FrameParts ? (frame.toBuffer() as In) : frame;
  }

  /**
   * Like `next()`, but in `parts` mode a frame that spanned chunks comes as a
   * {@link FrameParts} (no copy). In `copy` mode it always returns a `Buffer` or `undefined`.
   *
   * @throws what `next()` throws.
   */
  nextFrame(): In | FrameParts | undefined {
    const chunk = this.#chunk;
    if (chunk !== undefined && this.#acc === undefined && this.#parts === undefined && this.#discard === 0) {
      // Fast path: the frame starts in the current chunk.
      const pos = this.#pos;
      const end = chunk.length;
      let len: number;
      try {
        len = this.decoder.measure(chunk, pos, end);
      } catch (err) {
        if (this.#onMeasureError(err, 0, 0) === SKIPPING) return this.#slowNext();
        throw err;
      }
      // `>>> 0` keeps integers below 2^32 (a frame inside a chunk always is) and rejects
      // fractions, so the slow path validates anything odd.
      if (len > 0 && len <= end - pos && len >>> 0 === len) {
        let frame: In;
        try {
          frame = this.decoder.extract(chunk, pos, len);
        } catch (err) {
          throw this.#fail(err);
        }
        const next = pos + len;
        if (next < end) this.#pos = next;
        else this.#advance(next);
        return frame;
      }
      return this.#slowNext(len);
    }
    return this.#slowNext();
  }

  /**
   * Declare the end of the stream. Take every frame with `next()` first: any byte still held
   * belongs to an incomplete frame. Leaves the reader empty and ready for a new stream.
   *
   * @throws {@link FrameTruncatedError} when a partial frame is pending; the deferred
   *   {@link FrameTooLongError} when the stream ended while a too-long frame was being skipped
   *   with `failFast: false`.
   */
  end(): void {
    const failed = this.#failure !== undefined;
    const buffered = this.bufferedBytes;
    const expected = this.#need > 0 ? this.#need : undefined;
    const deferred = this.#deferred;
    this.reset();
    if (failed) return;
    if (deferred !== undefined) throw deferred;
    if (buffered > 0) throw new FrameTruncatedError(buffered, expected);
  }

  /** Drop all input and state (including a failure) and start over at a frame boundary. */
  reset(): void {
    this.#release();
    this.#failure = undefined;
    this.decoder.reset?.();
  }

  /**
   * Everything but the fast path. `measured` is the result of a `measure` call the fast path
   * already made on the current position (it is not repeated).
   */
  #slowNext(measured?: number): In | FrameParts | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    const max = this.#maxBuffered;
    for (;;) {
      const chunk = this.#chunk;
      if (chunk === undefined) return undefined;
      const end = chunk.length;
      const pos = this.#pos;

      if (this.#discard > 0) {
        const n = Math.min(this.#discard, end - pos);
        this.#discard -= n;
        this.#advance(pos + n);
        if (this.#discard === 0 && this.#deferred !== undefined) {
          const err = this.#deferred;
          this.#deferred = undefined;
          throw err;
        }
        continue;
      }

      const parts = this.#parts;
      if (parts !== undefined) {
        // Parts mode, length known: take the view of what this chunk holds of the frame.
        const n = Math.min(this.#need - this.#accLen, end - pos);
        parts.push(pos === 0 && n === end ? chunk : chunk.subarray(pos, pos + n));
        this.#accLen += n;
        this.#advance(pos + n);
        if (this.#accLen === this.#need) return this.#takeParts();
        continue;
      }

      const acc = this.#acc;
      if (acc === undefined) {
        // A frame starts in this chunk.
        const avail = end - pos;
        let len: number;
        if (measured !== undefined) {
          len = measured;
          measured = undefined;
        } else {
          try {
            len = this.decoder.measure(chunk, pos, end);
          } catch (err) {
            if (this.#onMeasureError(err, 0, 0) === SKIPPING) continue;
            throw err;
          }
        }
        this.#check(len);
        if (len <= 0) {
          const want = this.#unsized(len, avail);
          // Keep the tail; its frame length is not known yet.
          const buf = Buffer.allocUnsafe(Math.min(Math.max(MIN_STEP, avail * 2, want), max));
          chunk.copy(buf, 0, pos, end);
          this.#acc = buf;
          this.#accLen = avail;
          this.#need = 0;
          this.#want = want;
          this.#advance(end);
          continue;
        }
        if (len <= avail) {
          const frame = this.#extract(chunk, pos, len);
          this.#advance(pos + len);
          return frame;
        }
        if (this.#partsMode) {
          // The frame crosses the end of the chunk: keep views, copy nothing.
          this.#startParts(chunk.subarray(pos, end), len);
          this.#advance(end);
          continue;
        }
        // The frame crosses the end of the chunk: one buffer of its final size.
        const buf = Buffer.allocUnsafe(len);
        chunk.copy(buf, 0, pos, end);
        this.#acc = buf;
        this.#accLen = avail;
        this.#need = len;
        this.#advance(end);
        continue;
      }

      if (this.#need > 0) {
        // Length known: fill the final buffer.
        const n = Math.min(this.#need - this.#accLen, end - pos);
        chunk.copy(acc, this.#accLen, pos, pos + n);
        this.#accLen += n;
        this.#advance(pos + n);
        if (this.#accLen === this.#need) {
          const len = this.#need;
          this.#acc = undefined;
          this.#accLen = 0;
          this.#need = 0;
          return this.#extract(acc, 0, len);
        }
        continue;
      }

      // Length unknown: add a step of bytes (at least doubling what is held, at least up to
      // what the decoder asked for) and ask again once it asked for no more than is held.
      const prev = this.#accLen;
      const step = Math.min(Math.max(MIN_STEP, prev, this.#want - prev), end - pos, max - prev);
      let buf = acc;
      if (buf.length < prev + step) {
        buf = Buffer.allocUnsafe(Math.min(Math.max(buf.length * 2, prev + step), max));
        acc.copy(buf, 0, 0, prev);
        this.#acc = buf;
      }
      chunk.copy(buf, prev, pos, pos + step);
      const held = prev + step;
      this.#accLen = held;
      if (held < this.#want) {
        this.#advance(pos + step);
        continue;
      }
      let len: number;
      try {
        len = this.decoder.measure(buf, 0, held);
      } catch (err) {
        // The frame starts in `buf`; `step` bytes of it came from the current chunk.
        if (this.#onMeasureError(err, held, step) === SKIPPING) continue;
        throw err;
      }
      this.#check(len);
      if (len <= 0) {
        this.#advance(pos + step);
        this.#want = this.#unsized(len, held);
        continue;
      }
      if (len <= prev) {
        throw this.#fail(
          new DecoderContractError(
            `decoder sized a frame at ${len} bytes after asking for more than ${prev}`,
          ),
        );
      }
      if (len <= held) {
        // The frame ends inside the bytes just copied: give the rest back to the chunk.
        this.#advance(pos + step - (held - len));
        this.#acc = undefined;
        this.#accLen = 0;
        return this.#extract(buf, 0, len);
      }
      this.#advance(pos + step);
      if (this.#partsMode) {
        this.#acc = undefined;
        this.#startParts(buf.subarray(0, held), len);
        continue;
      }
      const fin = Buffer.allocUnsafe(len);
      buf.copy(fin, 0, 0, held);
      this.#acc = fin;
      this.#need = len;
    }
  }

  /** Parts mode: a frame of wire length `len` begins with `head` (which holds its header). */
  #startParts(head: Buffer, len: number): void {
    const skip = this.decoder.bodyOffset!(len);
    if (!(Number.isInteger(skip) && skip >= 0 && skip <= len)) {
      throw this.#fail(
        new DecoderContractError(`decoder.bodyOffset returned ${String(skip)} for a ${len}-byte frame`),
      );
    }
    this.#parts = [head];
    this.#bodyOffset = skip;
    this.#accLen = head.length;
    this.#need = len;
  }

  /** Parts mode: the spanning frame is complete; drop its header and hand it out. */
  #takeParts(): FrameParts | In {
    const parts = this.#parts!;
    const len = this.#need;
    let drop = this.#bodyOffset;
    this.#parts = undefined;
    this.#accLen = 0;
    this.#need = 0;
    this.#bodyOffset = 0;
    const bodyLength = len - drop;
    if (bodyLength === 0) return EMPTY as In;
    let first = 0;
    while (drop > 0) {
      const p = parts[first]!;
      if (p.length <= drop) {
        drop -= p.length;
        first++;
      } else {
        parts[first] = p.subarray(drop);
        drop = 0;
      }
    }
    return new FrameParts(first === 0 ? parts : parts.slice(first), bodyLength);
  }

  /** Drop as much of a too-long frame as the input held so far contains. */
  #skip(): void {
    while (this.#discard > 0 && this.#chunk !== undefined) {
      const n = Math.min(this.#discard, this.#chunk.length - this.#pos);
      this.#discard -= n;
      this.#advance(this.#pos + n);
    }
  }

  #extract(buf: Buffer, start: number, len: number): In {
    try {
      return this.decoder.extract(buf, start, len);
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /**
   * `measure` answered `0` or `-n` with `held` bytes of the frame buffered: the bytes to hold
   * before asking again (`0`: any more). Throws `IOCP_ERR_FRAME_TOO_LONG` when the frame would
   * need more than `maxBufferedBytes` before it is even sized.
   */
  #unsized(len: number, held: number): number {
    const max = this.#maxBuffered;
    const want = -len;
    if (want > 0 && want <= held) {
      throw this.#fail(
        new DecoderContractError(`decoder.measure asked for at least ${want} bytes with ${held} buffered`),
      );
    }
    if (held >= max || want > max) {
      throw this.#fail(
        new FrameTooLongError(Math.max(held, want), max, undefined, {
          message: `no frame length known after ${held} bytes${want > 0 ? ` (at least ${want} needed)` : ''}, over maxBufferedBytes ${max}`,
        }),
      );
    }
    return want;
  }

  /** Validate a `measure` result. */
  #check(len: number): void {
    if (!Number.isSafeInteger(len)) {
      throw this.#fail(
        new DecoderContractError(`decoder.measure returned ${String(len)}, not an integer`),
      );
    }
    if (len > this.#maxBuffered) {
      throw this.#fail(
        new DecoderContractError(
          `decoder sized a frame at ${len} bytes, above its maxBufferedBytes ${this.#maxBuffered}`,
        ),
      );
    }
  }

  /**
   * `measure` threw. A too-long frame whose wire length is known is skipped (discard mode);
   * anything else fails the stream. `held` bytes of the frame are in `#acc`, the last `step` of
   * them copied from the current chunk.
   *
   * @returns `SKIPPING` when the reader should go on skipping; otherwise throws.
   */
  #onMeasureError(err: unknown, held: number, step: number): number {
    if (err instanceof FrameTooLongError && err.wireLength !== undefined) {
      const wire = err.wireLength;
      let discard = wire - held;
      if (Number.isSafeInteger(wire) && (discard >= 0 || -discard <= step)) {
        if (held > 0) {
          // Bytes copied beyond the frame go back to the chunk; the copy is dropped.
          this.#advance(this.#pos + step + Math.min(0, discard));
          if (discard < 0) discard = 0;
          this.#acc = undefined;
          this.#accLen = 0;
          this.#need = 0;
        }
        this.#discard = discard;
        this.decoder.reset?.();
        this.#skip();
        if (this.decoder.failFast === false && this.#discard > 0) {
          this.#deferred = err;
          return SKIPPING;
        }
        throw err;
      }
    }
    throw this.#fail(err);
  }

  /** Mark the stream failed, free everything, and return the error to throw. */
  #fail(err: unknown): FramingError {
    const failure =
      err instanceof FramingError
        ? err
        : new DecoderContractError(
            `decoder threw ${err instanceof Error ? err.name : typeof err}: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
    this.#release();
    this.#failure = failure;
    return failure;
  }

  /** Move the read position; drop the chunk once it is consumed. */
  #advance(pos: number): void {
    const chunk = this.#chunk;
    if (chunk !== undefined && pos >= chunk.length) {
      const queue = this.#queue;
      if (queue !== undefined && queue.length > 0) {
        const next = queue.shift() as Buffer;
        this.#queuedBytes -= next.length;
        this.#chunk = next;
      } else {
        this.#chunk = undefined;
        this.#queue = undefined;
      }
      this.#pos = 0;
    } else {
      this.#pos = pos;
    }
  }

  #release(): void {
    this.#chunk = undefined;
    this.#pos = 0;
    this.#queue = undefined;
    this.#queuedBytes = 0;
    this.#acc = undefined;
    this.#accLen = 0;
    this.#need = 0;
    this.#want = 0;
    this.#parts = undefined;
    this.#bodyOffset = 0;
    this.#discard = 0;
    this.#deferred = undefined;
  }
}
