import { FrameCorruptError } from '../errors.js';

/** Longest unsigned LEB128 encoding accepted: 8 bytes carry 56 bits, enough for 2^53 - 1. */
export const MAX_VARINT_BYTES = 8;

/**
 * Result of {@link readVarint}: the value, or `-1` when more bytes are needed. The number of
 * bytes the varint occupied is left in `varintState.size`.
 */
export const varintState = { size: 0 };

/**
 * Read an unsigned LEB128 integer from `buf[pos, end)`.
 *
 * @returns the value (with its byte count in `varintState.size`), or `-1` when the varint is not
 *   complete yet.
 * @throws FrameCorruptError when the varint is longer than {@link MAX_VARINT_BYTES} or its value
 *   exceeds 2^53 - 1.
 */
export function readVarint(buf: Buffer, pos: number, end: number): number {
  let value = 0;
  let scale = 1;
  const stop = Math.min(end, pos + MAX_VARINT_BYTES);
  for (let i = pos; i < stop; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) {
        throw new FrameCorruptError(`varint length ${value} overflows 2^53 - 1`);
      }
      varintState.size = i - pos + 1;
      return value;
    }
    scale *= 128;
  }
  if (end - pos >= MAX_VARINT_BYTES) {
    throw new FrameCorruptError(`varint length longer than ${MAX_VARINT_BYTES} bytes`);
  }
  return -1;
}

/** Bytes the unsigned LEB128 encoding of `value` takes. */
export function varintSize(value: number): number {
  let n = 1;
  let v = value;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Write `value` as unsigned LEB128 at `pos`; returns the offset after it. */
export function writeVarint(target: Uint8Array, pos: number, value: number): number {
  let v = value;
  let p = pos;
  while (v >= 128) {
    target[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  target[p++] = v;
  return p;
}
