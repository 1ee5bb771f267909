import { ProtocolError } from '../errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bounds-checked reader over one message. Every read that would run past the end throws a
 * {@link ProtocolError}: a short or truncated message is the peer's fault, never a crash.
 */
export class WireReader {
  private pos: number;
  constructor(
    private readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new ProtocolError(`truncated message: ${what} needs ${n} bytes, ${this.buf.length - this.pos} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 that must fit a safe integer (file sizes and offsets). */
  u64(what: string): number {
    this.need(8, what);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (hi > 0x1fffff) throw new ProtocolError(`${what} is larger than 2^53`);
    return hi * 0x1_0000_0000 + lo;
  }

  /** `n` raw bytes as a view (no copy). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A u16-length-prefixed UTF-8 string; invalid UTF-8 is refused rather than replaced. */
  str(what: string): string {
    const n = this.u16(`${what} length`);
    const b = this.bytes(n, what);
    try {
      return UTF8.decode(b);
    } catch (err) {
      throw new ProtocolError(`${what} is not valid UTF-8`, { cause: err });
    }
  }

  /** The rest of the message as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** Throws when bytes are left over: a message carries exactly its fields. */
  end(what: string): void {
    if (this.pos !== this.buf.length) {
      throw new ProtocolError(`${what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
    }
  }
}
