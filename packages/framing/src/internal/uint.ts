import { FrameCorruptError } from '../errors.js';

/** Width in bytes of a fixed-size length field. */
export type FieldWidth = 1 | 2 | 3 | 4 | 8;

/** Largest value a field of `width` bytes can hold (capped at 2^53 - 1). */
export function fieldCapacity(width: FieldWidth): number {
  return width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
}

/**
 * Read an unsigned integer of `width` bytes at `pos`. The caller guarantees the bytes exist.
 * An 8-byte value above 2^53 - 1 cannot be a length: `IOCP_ERR_FRAME_CORRUPT`.
 */
export function readUint(buf: Buffer, pos: number, width: FieldWidth, littleEndian: boolean): number {
  if (littleEndian) {
    switch (width) {
      case 1:
        return buf[pos]!;
      case 2:
        return buf[pos]! | (buf[pos + 1]! << 8);
      case 3:
        return buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16);
      case 4:
        return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) + buf[pos + 3]! * 0x1000000;
      default:
        return combine64(
          (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16)) + buf[pos + 7]! * 0x1000000,
          (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) + buf[pos + 3]! * 0x1000000,
        );
    }
  }
  switch (width) {
    case 1:
      return buf[pos]!;
    case 2:
      return (buf[pos]! << 8) | buf[pos + 1]!;
    case 3:
      return (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
    case 4:
      return buf[pos]! * 0x1000000 + ((buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!);
    default:
      return combine64(
        buf[pos]! * 0x1000000 + ((buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!),
        buf[pos + 4]! * 0x1000000 + ((buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!),
      );
  }
}

function combine64(hi: number, lo: number): number {
  if (hi > 0x1fffff) {
    throw new FrameCorruptError(
      `length field 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')} overflows 2^53 - 1`,
    );
  }
  return hi * 0x100000000 + lo;
}

/** Write `value` (already checked to fit) as an unsigned integer of `width` bytes at `pos`. */
export function writeUint(
  target: Uint8Array,
  pos: number,
  value: number,
  width: FieldWidth,
  littleEndian: boolean,
): void {
  let v = value;
  if (littleEndian) {
    for (let i = 0; i < width; i++) {
      target[pos + i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    for (let i = width - 1; i >= 0; i--) {
      target[pos + i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
}

/** A reader of one fixed-width unsigned field, chosen once per decoder. */
export type UintReader = (buf: Buffer, pos: number) => number;

const readers: Record<string, UintReader> = {
  '1b': (b, p) => b[p]!,
  '1l': (b, p) => b[p]!,
  '2b': (b, p) => (b[p]! << 8) | b[p + 1]!,
  '2l': (b, p) => b[p]! | (b[p + 1]! << 8),
  '3b': (b, p) => (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!,
  '3l': (b, p) => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16),
  '4b': (b, p) => b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!),
  '4l': (b, p) => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000,
  '8b': (b, p) => readUint(b, p, 8, false),
  '8l': (b, p) => readUint(b, p, 8, true),
};

/** The reader for a field of `width` bytes in the given byte order. */
export function uintReader(width: FieldWidth, littleEndian: boolean): UintReader {
  return readers[`${width}${littleEndian ? 'l' : 'b'}`]!;
}
