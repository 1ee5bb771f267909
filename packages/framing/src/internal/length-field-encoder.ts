import type { Encoder } from '../codec.js';
import { FrameCorruptError, FrameTooLongError } from '../errors.js';
import { type FieldWidth, fieldCapacity, writeUint } from './uint.js';
import { MAX_VARINT_BYTES, varintSize, writeVarint } from './varint.js';

/** Resolved settings of a length-field encoder (Netty `LengthFieldPrepender` semantics). */
export interface LengthFieldEncoderConfig {
  /** Width of the length field, or 0 for an unsigned LEB128 varint. */
  readonly width: FieldWidth | 0;
  readonly littleEndian: boolean;
  /** Added to the frame length to get the field value. */
  readonly valueAdjustment: number;
  readonly maxFrameLength: number;
  /** true: `maxFrameLength` bounds prefix + frame; false: the frame alone. */
  readonly limitIncludesHeader: boolean;
}

/** Writes `[length field][frame]`: the frame itself is never copied by `encodePrefix`. */
export class LengthFieldEncoder implements Encoder {
  readonly maxPrefixLength: number;
  readonly #width: FieldWidth | 0;
  readonly #littleEndian: boolean;
  readonly #valueAdjustment: number;
  readonly #max: number;
  readonly #limitIncludesHeader: boolean;
  readonly #capacity: number;

  constructor(config: LengthFieldEncoderConfig) {
    this.#width = config.width;
    this.#littleEndian = config.littleEndian;
    this.#valueAdjustment = config.valueAdjustment;
    this.#max = config.maxFrameLength;
    this.#limitIncludesHeader = config.limitIncludesHeader;
    this.#capacity = config.width === 0 ? Number.MAX_SAFE_INTEGER : fieldCapacity(config.width);
    this.maxPrefixLength = config.width === 0 ? MAX_VARINT_BYTES : config.width;
  }

  /** The field value for a frame of `n` bytes; throws when it cannot be encoded. */
  #value(n: number): number {
    const value = n + this.#valueAdjustment;
    if (value < 0) {
      throw new FrameCorruptError(
        `cannot encode a frame of ${n} bytes: the adjusted length field would be ${value}`,
      );
    }
    if (value > this.#capacity) {
      throw new FrameTooLongError(value, this.#capacity, undefined, {
        what: `length field value (${this.#width}-byte field)`,
      });
    }
    const prefix = this.#width === 0 ? varintSize(value) : this.#width;
    const limited = this.#limitIncludesHeader ? n + prefix : n;
    if (limited > this.#max) {
      throw new FrameTooLongError(limited, this.#max, undefined, { what: 'frame to encode' });
    }
    return value;
  }

  encodedLength(frame: Uint8Array): number {
    const value = this.#value(frame.length);
    return (this.#width === 0 ? varintSize(value) : this.#width) + frame.length;
  }

  encodePrefix(frame: Uint8Array, target: Uint8Array, offset: number): number {
    return this.encodePrefixFor(frame.length, target, offset);
  }

  encodePrefixFor(length: number, target: Uint8Array, offset: number): number {
    const value = this.#value(length);
    if (this.#width === 0) return writeVarint(target, offset, value);
    writeUint(target, offset, value, this.#width, this.#littleEndian);
    return offset + this.#width;
  }

  encodeInto(frame: Uint8Array, target: Uint8Array, offset: number): number {
    const p = this.encodePrefix(frame, target, offset);
    target.set(frame, p);
    return p + frame.length;
  }
}
