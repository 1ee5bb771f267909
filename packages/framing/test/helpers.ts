import { expect } from 'vitest';
import type { Codec, Decoder } from '../src/index.js';
import { FrameReader, encode } from '../src/index.js';

/** Bytes from a mix of strings (latin1/utf8 text) and byte arrays. */
export function bytes(...parts: Array<string | number[] | Uint8Array>): Buffer {
  return Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );
}

/**
 * Every way the tests cut `wire` into chunks: whole, every two-piece split, every three-piece
 * split for short inputs, and 1-byte chunks.
 */
export function* splits(wire: Buffer): Generator<Buffer[]> {
  yield [wire];
  for (let i = 1; i < wire.length; i++) yield [wire.subarray(0, i), wire.subarray(i)];
  if (wire.length <= 40) {
    for (let i = 1; i < wire.length; i++) {
      for (let j = i + 1; j < wire.length; j++) {
        yield [wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)];
      }
    }
  }
  const ones: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) ones.push(wire.subarray(i, i + 1));
  yield ones;
}

/**
 * Push `chunks` into a reader over `decoder`, draining after each push, then end the stream.
 * Frames are copied out so later chunks cannot alias them. Checks the memory bound after every
 * step.
 */
export function decodeChunks(decoder: Decoder, chunks: readonly Uint8Array[]): Buffer[] {
  const reader = new FrameReader(decoder);
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let f = reader.next(); f !== undefined; f = reader.next()) out.push(Buffer.from(f));
    expect(reader.bufferedBytes).toBeLessThanOrEqual(decoder.maxBufferedBytes);
  }
  reader.end();
  expect(reader.bufferedBytes).toBe(0);
  return out;
}

/** Assert that `wire` decodes to `expected` however it is cut into chunks. */
export function expectAllSplits(
  makeDecoder: () => Decoder,
  wire: Buffer,
  expected: readonly Uint8Array[],
): void {
  const want = expected.map((e) => Buffer.from(e).toString('hex'));
  let cases = 0;
  for (const chunks of splits(wire)) {
    const got = decodeChunks(makeDecoder(), chunks).map((f) => f.toString('hex'));
    if (got.join('|') !== want.join('|')) {
      expect({ chunks: chunks.map((c) => c.length), got }).toEqual({
        chunks: chunks.map((c) => c.length),
        got: want,
      });
    }
    cases++;
  }
  expect(cases).toBeGreaterThan(wire.length);
}

/** Wire bytes of `frames` encoded back to back with `codec`. */
export function encodeAll(codec: Codec, frames: readonly Uint8Array[]): Buffer {
  return Buffer.concat(frames.map((f) => encode(codec.encoder, f)));
}

/** Run `fn` and return the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error, none was thrown');
}

/** Push `chunks` and drain; returns the frames decoded before the first error and that error. */
export function decodeUntilError(
  decoder: Decoder,
  chunks: readonly Uint8Array[],
): { frames: Buffer[]; error: (Error & { code?: string }) | undefined } {
  const reader = new FrameReader(decoder);
  const frames: Buffer[] = [];
  try {
    for (const chunk of chunks) {
      reader.push(chunk);
      for (let f = reader.next(); f !== undefined; f = reader.next()) frames.push(Buffer.from(f));
    }
    reader.end();
  } catch (err) {
    return { frames, error: err as Error & { code?: string } };
  }
  return { frames, error: undefined };
}

/**
 * Run `fn` while counting what `Buffer.prototype[method]` is asked to process: for `copy`, the
 * bytes copied; for `indexOf`, the bytes of the buffers searched.
 */
export function measureCalls<T>(
  method: 'copy' | 'indexOf',
  fn: () => T,
): { result: T; bytes: number; calls: number } {
  const proto = Buffer.prototype as unknown as Record<string, (...args: unknown[]) => number>;
  const real = proto[method]!;
  let total = 0;
  let calls = 0;
  proto[method] = function (this: Buffer, ...args: unknown[]): number {
    const n = real.apply(this, args);
    total += method === 'copy' ? n : this.length;
    calls++;
    return n;
  };
  try {
    const result = fn();
    return { result, bytes: total, calls };
  } finally {
    proto[method] = real;
  }
}

/** Cut `wire` at the given points (any numbers; taken modulo the length, sorted, deduped). */
export function cut(wire: Buffer, points: readonly number[]): Buffer[] {
  if (wire.length === 0) return [];
  const at = [...new Set(points.map((p) => p % wire.length))].filter((p) => p > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    chunks.push(wire.subarray(prev, p));
    prev = p;
  }
  chunks.push(wire.subarray(prev));
  return chunks;
}
