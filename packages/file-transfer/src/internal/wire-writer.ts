/**
 * Writes one message into an exactly-sized buffer. The caller computes the size up front (fixed
 * fields plus {@link strLength} for each string), so a message is one allocation and no copy.
 */
export class WireWriter {
  private pos = 0;
  readonly buf: Buffer;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  u64(v: number): this {
    this.buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000), this.pos);
    this.buf.writeUInt32BE(v >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  str(s: string): this {
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    this.buf.writeUInt16BE(n, this.pos);
    this.pos += 2 + n;
    return this;
  }
  /** The finished message; throws if the size computed up front was wrong (a bug, not input). */
  done(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`wire writer: wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

/** Wire size of a u16-length-prefixed UTF-8 string. */
export function strLength(s: string): number {
  return 2 + Buffer.byteLength(s, 'utf8');
}
