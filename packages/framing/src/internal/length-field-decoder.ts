import type { Decoder } from '../codec.js';
import { FrameCorruptError, FrameTooLongError } from '../errors.js';
import { type FieldWidth, type UintReader, uintReader } from './uint.js';
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
  readonly #adjustment: number;
  readonly #stripHeader: boolean;
  readonly #max: number;
  readonly #limitIncludesHeader: boolean;
  /** Bytes to strip from the frame last sized by `measure`. */
  #strip: number;
  /** Largest wire length a fixed-width header may announce (`maxFrameLength` in wire terms). */
  readonly #maxWire: number;
  readonly #read: UintReader;

  constructor(config: LengthFieldDecoderConfig) {
    this.#offset = config.offset;
    this.#width = config.width;
    this.#endOffset = config.offset + config.width;
    this.#adjustment = config.adjustment;
    this.#stripHeader = config.strip < 0;
    // A fixed-width header has a fixed end: 'header' resolves now. A varint header's end is
    // known per frame, so `measure` sets it.
    this.#strip =
      config.strip >= 0 ? config.strip : config.width === 0 ? 0 : config.offset + config.width;
    this.#max = config.maxFrameLength;
    this.#limitIncludesHeader = config.limitIncludesHeader;
    this.failFast = config.failFast;
    this.#read = uintReader(config.width === 0 ? 1 : config.width, config.littleEndian);
    this.#maxWire = config.limitIncludesHeader
      ? config.maxFrameLength
      : config.maxFrameLength + config.offset + config.width;
    this.maxBufferedBytes = config.limitIncludesHeader
      ? config.maxFrameLength
      : config.maxFrameLength + config.offset + (config.width === 0 ? MAX_VARINT_BYTES : config.width);
  }

  measure(buf: Buffer, start: number, end: number): number {
    const width = this.#width;
    if (width !== 0) {
      // Fixed-width field: header end, strip and wire limit are constants.
      const endOffset = this.#endOffset;
      if (end - start < endOffset) return 0;
      const value = this.#read(buf, start + this.#offset);
      const frameLength = value + this.#adjustment + endOffset;
      if (frameLength < endOffset || frameLength > this.#maxWire) {
        this.#refuse(frameLength, endOffset, value);
      }
      if (frameLength < this.#strip) this.#refuseStrip(frameLength);
      return frameLength;
    }
    if (end - start <= this.#offset) return 0;
    const value = readVarint(buf, start + this.#offset, end);
    if (value < 0) return 0;
    const endOffset = this.#offset + varintState.size;
    const frameLength = value + this.#adjustment + endOffset;
    if (
      frameLength < endOffset ||
      frameLength > this.#max + (this.#limitIncludesHeader ? 0 : endOffset)
    ) {
      this.#refuse(frameLength, endOffset, value);
    }
    if (this.#stripHeader) {
      this.#strip = endOffset;
    } else if (frameLength < this.#strip) {
      this.#refuseStrip(frameLength);
    }
    return frameLength;
  }

  #refuseStrip(frameLength: number): never {
    throw new FrameCorruptError(
      `adjusted frame length ${frameLength} is less than initialBytesToStrip ${this.#strip}`,
    );
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

  bodyOffset(): number {
    return this.#strip;
  }
}
