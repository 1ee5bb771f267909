/**
 * `@iocp/framing/testing`: the test kit for codecs — the checks every decoder must pass,
 * whatever message type it yields.
 *
 * ```
 *  wire bytes ──► chunkings(wire): whole · every 2-way cut · every 3-way cut (short wires) · 1-byte chunks
 *             ──► arbitraryChunks(wire): fast-check chunkings, shrinking to the fewest cuts
 *  each chunking ──► FrameReader(decoder) ──► messages ──► compared with the expected ones
 *  garbage (noise, or valid wire with bytes overwritten) ──► only coded framing errors,
 *                                                             bounded memory, termination
 * ```
 *
 * Messages are compared with `equals` when given, else bytes by value (`Buffer`/`Uint8Array`)
 * and anything else by `util.isDeepStrictEqual`.
 *
 * Needs `fast-check` (an optional peer dependency of `@iocp/framing`: install it next to your
 * test runner); the main entry point `@iocp/framing` never loads it. Failures are thrown as
 * `AssertionError`s (`node:assert`), so any test runner reports them.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Codec, Decoder, Encoder } from './codec.js';
import { FramingError } from './errors.js';
import { FrameReader } from './frame-reader.js';

/** A codec, or a factory of fresh decoders (one per stream). */
export type DecoderSource<In> = Pick<Codec<In, unknown>, 'createDecoder'> | (() => Decoder<In>);

/** The codes a decoder may throw on bad input (anything else is a bug in the decoder). */
export const FRAMING_ERROR_CODES: readonly string[] = Object.freeze([
  'IOCP_ERR_FRAME_TOO_LONG',
  'IOCP_ERR_FRAME_CORRUPT',
  'IOCP_ERR_FRAME_TRUNCATED',
]);

/** Options of {@link chunkings} and {@link checkSplits}. */
export interface ChunkingOptions {
  /**
   * Every 3-way cut is tried for wires up to this many bytes (there are about n²/2 of them).
   * Default `40`.
   */
  threeWayMaxLength?: number | undefined;
}

/** Options of {@link checkSplits}. */
export interface CheckSplitsOptions<In> extends ChunkingOptions {
  /** Message equality. Default: bytes by value, anything else `util.isDeepStrictEqual`. */
  equals?: ((actual: In, expected: In) => boolean) | undefined;
  /**
   * Check that the decoder reads only the bytes the contract gives it (`buf[start, end)` in
   * `measure`, `buf[start, start + length)` in `extract`): every call gets a copy of `buf` whose
   * other bytes are overwritten with bytes of the wire itself (so delimiters and digits lie
   * there, as stale input would). Default `true`.
   */
  fence?: boolean | undefined;
}

/** Options of {@link checkGarbage}. */
export interface CheckGarbageOptions {
  /**
   * Valid wire streams of the codec: the garbage also includes them with a few bytes
   * overwritten (damage close to the format finds more than pure noise). Default: noise only.
   */
  valid?: fc.Arbitrary<Uint8Array> | undefined;
  /** The noise itself. Default: `fc.uint8Array({ maxLength: 2000 })`. */
  noise?: fc.Arbitrary<Uint8Array> | undefined;
  /** Runs of the property. Default `150`. */
  numRuns?: number | undefined;
  /** fast-check seed, to replay a failure. */
  seed?: number | undefined;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decoderOf<In>(source: DecoderSource<In>): Decoder<In> {
  return typeof source === 'function' ? source() : source.createDecoder();
}

/** Poison bytes added after `end` even when `buf` ends there (a chunk view), as a reader's buffer may have. */
const FENCE_TAIL = 32;

/**
 * A copy of `buf` (same offsets, `FENCE_TAIL` bytes longer) in which every byte outside
 * `[start, end)` is a `poison` byte.
 */
function fenced(buf: Buffer, start: number, end: number, poison: Buffer): Buffer {
  const copy = Buffer.allocUnsafe(Math.max(buf.length, end) + FENCE_TAIL);
  for (let i = 0; i < start; i++) copy[i] = poison[i % poison.length]!;
  buf.copy(copy, start, start, end);
  for (let i = end; i < copy.length; i++) copy[i] = poison[(i - end + start + 1) % poison.length]!;
  return copy;
}

/**
 * A decoder that hands `decoder` fenced copies of its input (see `CheckSplitsOptions.fence`),
 * otherwise the same.
 */
export function fenceDecoder<In>(decoder: Decoder<In>, poison: Uint8Array): Decoder<In> {
  const p = poison.length > 0 ? toBuffer(poison) : Buffer.from([0]);
  const fencedDecoder: Decoder<In> = {
    get maxBufferedBytes() {
      return decoder.maxBufferedBytes;
    },
    get failFast() {
      return decoder.failFast;
    },
    measure: (buf, start, end) => decoder.measure(fenced(buf, start, end, p), start, end),
    extract: (buf, start, length) => decoder.extract(fenced(buf, start, start + length, p), start, length),
  };
  if (decoder.reset !== undefined) fencedDecoder.reset = () => decoder.reset!();
  return fencedDecoder;
}

function defaultEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return toBuffer(a).equals(b);
  return isDeepStrictEqual(a, b);
}

/**
 * Every way the kit cuts `wire` into chunks: whole, every 2-way cut, every 3-way cut (for
 * wires up to `threeWayMaxLength` bytes), and 1-byte chunks. The chunks are views of `wire`.
 */
export function* chunkings(wire: Uint8Array, options?: ChunkingOptions): Generator<Buffer[]> {
  const w = toBuffer(wire);
  const threeWay = options?.threeWayMaxLength ?? 40;
  yield [w];
  for (let i = 1; i < w.length; i++) yield [w.subarray(0, i), w.subarray(i)];
  if (w.length <= threeWay) {
    for (let i = 1; i < w.length; i++) {
      for (let j = i + 1; j < w.length; j++) yield [w.subarray(0, i), w.subarray(i, j), w.subarray(j)];
    }
  }
  if (w.length > 1) {
    const ones: Buffer[] = [];
    for (let i = 0; i < w.length; i++) ones.push(w.subarray(i, i + 1));
    yield ones;
  }
}

/** Cut `wire` at the given points (any non-negative numbers: taken modulo the length, sorted, deduplicated). */
export function cut(wire: Uint8Array, points: readonly number[]): Buffer[] {
  const w = toBuffer(wire);
  if (w.length === 0) return [];
  const at = [...new Set(points.map((p) => p % w.length))].filter((p) => p > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    chunks.push(w.subarray(prev, p));
    prev = p;
  }
  chunks.push(w.subarray(prev));
  return chunks;
}

/** Cut points for {@link cut}: up to `maxCuts` (default 30) of them; shrinks towards no cut. */
export function arbitraryCuts(maxCuts = 30): fc.Arbitrary<number[]> {
  return fc.array(fc.nat(), { maxLength: maxCuts });
}

/** fast-check arbitrary of the chunkings of `wire` (views of it), shrinking to fewer cuts. */
export function arbitraryChunks(wire: Uint8Array, maxCuts = 30): fc.Arbitrary<Buffer[]> {
  return arbitraryCuts(maxCuts).map((points) => cut(wire, points));
}

/** Wire bytes of `messages` encoded back to back with `encoder` (`encodedLength` + `encodeInto`). */
export function encodeAll<Out>(encoder: Encoder<Out>, messages: readonly Out[]): Buffer {
  let n = 0;
  for (const m of messages) n += encoder.encodedLength(m);
  const out = Buffer.alloc(n);
  let at = 0;
  for (const m of messages) {
    const next = encoder.encodeInto(m, out, at);
    if (next - at !== encoder.encodedLength(m)) {
      throw new AssertionError({ message: `encodeInto wrote ${next - at} bytes, encodedLength said ${encoder.encodedLength(m)}` });
    }
    at = next;
  }
  return out;
}

/**
 * Push `chunks` into a fresh {@link FrameReader} over `decoder`, taking every message after each
 * push, then end the stream. Checks the memory bound after every push (`bufferedBytes` within
 * `maxBufferedBytes`) and that nothing is held at the end.
 *
 * @throws the reader's {@link FramingError}, or an `AssertionError` when the bound is broken.
 */
export function decodeChunks<In>(decoder: Decoder<In>, chunks: readonly Uint8Array[]): In[] {
  const reader = new FrameReader(decoder);
  const out: In[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let m = reader.next(); m !== undefined; m = reader.next()) out.push(m);
    if (reader.bufferedBytes > decoder.maxBufferedBytes) {
      throw new AssertionError({
        message: `reader holds ${reader.bufferedBytes} bytes after draining, over maxBufferedBytes ${decoder.maxBufferedBytes}`,
      });
    }
  }
  reader.end();
  return out;
}

/** Like {@link decodeChunks}, but returns the messages decoded before the first error and that error. */
export function decodeUntilError<In>(
  decoder: Decoder<In>,
  chunks: readonly Uint8Array[],
): { messages: In[]; error: (Error & { code?: string }) | undefined } {
  const reader = new FrameReader(decoder);
  const messages: In[] = [];
  try {
    for (const chunk of chunks) {
      reader.push(chunk);
      for (let m = reader.next(); m !== undefined; m = reader.next()) messages.push(m);
    }
    reader.end();
  } catch (err) {
    return { messages, error: err as Error & { code?: string } };
  }
  return { messages, error: undefined };
}

/**
 * Assert that `wire` decodes to `expected` however it is cut: every chunking of
 * {@link chunkings}, each through a fresh decoder from `source`, fenced (see
 * `CheckSplitsOptions.fence`). Returns how many chunkings were checked.
 *
 * @throws an `AssertionError` naming the first chunking (its chunk lengths) that decoded
 *   differently, or the error decoding threw.
 */
export function checkSplits<In>(
  source: DecoderSource<In>,
  wire: Uint8Array,
  expected: readonly In[],
  options?: CheckSplitsOptions<In>,
): number {
  const equals = options?.equals ?? defaultEquals;
  let cases = 0;
  for (const chunks of chunkings(wire, options)) {
    const lengths = chunks.map((c) => c.length);
    let got: In[];
    try {
      const decoder = decoderOf(source);
      got = decodeChunks(options?.fence === false ? decoder : fenceDecoder(decoder, wire), chunks);
    } catch (err) {
      throw new AssertionError({
        message: `decoding failed with chunks of ${lengths.length > 12 ? `${lengths.length} × 1` : lengths.join('+')} bytes: ${(err as Error).message}`,
      });
    }
    const same = got.length === expected.length && got.every((m, i) => equals(m, expected[i] as In));
    if (!same) {
      throw new AssertionError({
        message: `chunks of ${lengths.length > 12 ? `${lengths.length} × 1` : lengths.join('+')} bytes decoded to other messages`,
        actual: got,
        expected,
        operator: 'checkSplits',
      });
    }
    cases++;
  }
  return cases;
}

/**
 * Pure noise, or valid wire (when `valid` is given) with one to five bytes overwritten.
 */
export function arbitraryGarbage(options?: Pick<CheckGarbageOptions, 'valid' | 'noise'>): fc.Arbitrary<Uint8Array> {
  const noise = options?.noise ?? fc.uint8Array({ maxLength: 2000 });
  const valid = options?.valid;
  if (valid === undefined) return noise;
  const damaged = fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }))
    .map(([bytes, flips]) => {
      const wire = new Uint8Array(bytes);
      for (const [at, value] of flips) if (wire.length > 0) wire[at % wire.length] = value;
      return wire;
    });
  return fc.oneof(noise, damaged);
}

/**
 * The garbage property: fed any bytes (see {@link arbitraryGarbage}) cut into any chunks, a
 * decoder from `source` yields messages and throws nothing but {@link FramingError}s with a
 * code of {@link FRAMING_ERROR_CODES} (never `IOCP_ERR_DECODER_CONTRACT`, never a `TypeError`
 * or `RangeError`), the reader never holds more than `maxBufferedBytes` plus the chunk just
 * pushed, and decoding terminates (at most one call per byte and chunk). Runs `fc.assert`.
 *
 * @throws an `AssertionError`: fast-check's report (seed, shrunk counterexample) and what failed.
 */
export function checkGarbage(source: DecoderSource<unknown>, options?: CheckGarbageOptions): void {
  try {
    garbageProperty(source, options);
  } catch (err) {
    // fast-check keeps the property's own error in `cause`: put its message in the report.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && err instanceof Error) {
      throw new AssertionError({ message: `${err.message}\n${cause.message}` });
    }
    throw err;
  }
}

function garbageProperty(source: DecoderSource<unknown>, options?: CheckGarbageOptions): void {
  fc.assert(
    fc.property(arbitraryGarbage(options), arbitraryCuts(), (garbage, points) => {
      const wire = toBuffer(garbage);
      const chunks = cut(wire, points);
      const decoder = decoderOf(source);
      const reader = new FrameReader(decoder);
      // Every message and every skipped too-long frame consumes at least one byte, and each
      // chunk ends with one undefined (or a fatal error): calls ≤ bytes + chunks. A decoder
      // loop that consumed nothing would blow past this.
      let budget = wire.length + 2 * chunks.length + 10;
      const check = (err: unknown): void => {
        if (!(err instanceof FramingError) || !FRAMING_ERROR_CODES.includes(err.code)) {
          const what = err instanceof Error ? `${err.name} ${(err as { code?: string }).code ?? ''}: ${err.message}` : String(err);
          throw new AssertionError({ message: `garbage made the decoder throw ${what}` });
        }
      };
      for (const chunk of chunks) {
        reader.push(chunk);
        for (;;) {
          if (--budget <= 0) throw new AssertionError({ message: 'decoding does not terminate (no progress)' });
          if (reader.bufferedBytes > decoder.maxBufferedBytes + chunk.length) {
            throw new AssertionError({
              message: `reader holds ${reader.bufferedBytes} bytes, over maxBufferedBytes ${decoder.maxBufferedBytes} + chunk ${chunk.length}`,
            });
          }
          try {
            const m = reader.next();
            if (m === undefined) break;
            if (m instanceof Uint8Array && m.byteLength > decoder.maxBufferedBytes) {
              throw new AssertionError({ message: `a ${m.byteLength}-byte frame, over maxBufferedBytes ${decoder.maxBufferedBytes}` });
            }
          } catch (err) {
            if (err instanceof AssertionError) throw err;
            check(err);
            if (reader.failure !== undefined) return;
          }
        }
      }
      try {
        reader.end();
      } catch (err) {
        check(err);
      }
      if (reader.bufferedBytes !== 0) throw new AssertionError({ message: 'reader holds bytes after end()' });
    }),
    { numRuns: options?.numRuns ?? 150, ...(options?.seed !== undefined ? { seed: options.seed } : {}) },
  );
}
