import type { Decoder } from '../codec.js';
import { FrameCorruptError, FrameTooLongError } from '../errors.js';
import { type FieldWidth, readUint } from './uint.js';
import { MAX_VARINT_BYTES, readVarint, varintState } from './varint.js';

/** Resolved, validated settings of a length-field decoder. */
export interface LengthFieldDecoderConfig {
  /** Bytes before the length field. */
  readonly offset: number;
  /** Width of the length field in bytes, or 0 for an unsigned LEB128 varint. */
  readonly width: FieldWidth | 0;
  readonly littleEndian: boolean;
  /** Added to the field value to get the bytes that follow the length field. */
  readonly adjustment: number;
  /** Bytes removed from the front of the wire frame; -1 = the whole header up to the field end. */
  readonly strip: number;
  readonly maxFrameLength: number;
  /** true: `maxFrameLength` bounds the whole wire frame (Netty); false: only what follows the field. */
  readonly limitIncludesHeader: boolean;
  readonly failFast: boolean;
}

/**
 * Netty `LengthFieldBasedFrameDecoder` arithmetic over the {@link Decoder} contract:
 * `wire length = field value + lengthAdjustment + lengthFieldOffset + field width`.
 */
export class LengthFieldDecoder implements Decoder {
  readonly maxBufferedBytes: number;
  readonly failFast: boolean;
  readonly #offset: number;
  readonly #width: FieldWidth | 0;
  readonly #endOffset: number;
  readonly #littleEndian: boolean;
  readonly #adjustment: number;
  readonly #stripHeader: boolean;
  readonly #max: number;
  readonly #limitIncludesHeader: boolean;
  /** Bytes to strip from the frame last sized by `measure`. */
  #strip: number;

  constructor(config: LengthFieldDecoderConfig) {
    this.#offset = config.offset;
    this.#width = config.width;
    this.#endOffset = config.offset + config.width;
    this.#littleEndian = config.littleEndian;
    this.#adjustment = config.adjustment;
    this.#stripHeader = config.strip < 0;
    this.#strip = config.strip < 0 ? 0 : config.strip;
    this.#max = config.maxFrameLength;
    this.#limitIncludesHeader = config.limitIncludesHeader;
    this.failFast = config.failFast;
    this.maxBufferedBytes = config.limitIncludesHeader
      ? config.maxFrameLength
      : config.maxFrameLength + config.offset + (config.width === 0 ? MAX_VARINT_BYTES : config.width);
  }

  measure(buf: Buffer, start: number, end: number): number {
    let endOffset: number;
    let value: number;
    const width = this.#width;
    if (width !== 0) {
      endOffset = this.#endOffset;
      if (end - start < endOffset) return 0;
      value = readUint(buf, start + this.#offset, width, this.#littleEndian);
    } else {
      if (end - start <= this.#offset) return 0;
      value = readVarint(buf, start + this.#offset, end);
      if (value < 0) return 0;
      endOffset = this.#offset + varintState.size;
    }
    const frameLength = value + this.#adjustment + endOffset;
    // One comparison covers both bounds on the hot path; the slow path says which one failed.
    if (frameLength < endOffset || frameLength > this.#max + (this.#limitIncludesHeader ? 0 : endOffset)) {
      this.#refuse(frameLength, endOffset, value);
    }
    if (this.#stripHeader) {
      this.#strip = endOffset;
    } else if (frameLength < this.#strip) {
      throw new FrameCorruptError(
        `adjusted frame length ${frameLength} is less than initialBytesToStrip ${this.#strip}`,
      );
    }
    return frameLength;
  }

  #refuse(frameLength: number, endOffset: number, value: number): never {
    if (frameLength < endOffset) {
      throw new FrameCorruptError(
        `adjusted frame length ${frameLength} is less than the header length ${endOffset} (length field ${value}, lengthAdjustment ${this.#adjustment})`,
      );
    }
    const limited = this.#limitIncludesHeader ? frameLength : frameLength - endOffset;
    throw new FrameTooLongError(limited, this.#max, frameLength);
  }

  extract(buf: Buffer, start: number, length: number): Buffer {
    return buf.subarray(start + this.#strip, start + length);
  }
}
