/** Size of one slab of the outgoing pool. */
export const SLAB_SIZE = 64 * 1024;

/** What the pool needs from a connection that holds the tip region. */
export interface RegionHolder {
  /** Where the holder has written up to in its region; the pool takes back everything after it. */
  regionPos: number;
  /** End of the holder's region; set to `regionPos` when the pool takes the tail back. */
  regionEnd: number;
}

/** One slab and the number of socket writes still reading it. */
export interface Slab {
  readonly buf: Buffer;
  /** Writes referencing this slab that did not complete synchronously. */
  refs: number;
}

/**
 * A bump allocator of outgoing bytes shared by every connection of a port ("pooled outgoing
 * buffer"). Small frames sent in one turn are encoded straight into a region of the current
 * slab, so each connection's frames of the turn sit side by side and leave as one buffer.
 *
 * The holder of the newest region gets the whole rest of the slab; when another connection needs
 * room, or the holder flushes, the unused tail is taken back. At the end of a turn every region
 * has been handed to its socket; when all those writes completed synchronously (the common case:
 * the kernel took the bytes at once) nothing reads the slab any more and it is reused from the
 * start, so a steady echo allocates no outgoing memory at all. A write that went asynchronous
 * pins the slab until its callback; meanwhile new bytes go after it, and a full slab is replaced
 * (the old one is garbage once its writes finish).
 */
export class OutPool {
  private slab: Slab = { buf: Buffer.allocUnsafeSlow(SLAB_SIZE), refs: 0 };
  private offset = 0;
  private tip: RegionHolder | null = null;

  /**
   * Hand `holder` a region of at least `n` bytes starting at `holder.regionPos` of the returned
   * buffer; `holder.regionEnd` is set to the end of the region.
   */
  take(holder: RegionHolder, n: number): Buffer {
    if (this.tip !== null && this.tip !== holder) this.trim(this.tip);
    if (this.slab.buf.length - this.offset < n) {
      this.slab = { buf: Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n)), refs: 0 };
      this.offset = 0;
    }
    const buf = this.slab.buf;
    holder.regionPos = this.offset;
    holder.regionEnd = buf.length;
    this.offset = buf.length;
    this.tip = holder;
    return buf;
  }

  /** Give back the unused tail of `holder`'s region if it is the newest one. */
  trim(holder: RegionHolder): void {
    if (this.tip !== holder) return;
    this.offset = holder.regionPos;
    holder.regionEnd = holder.regionPos;
    this.tip = null;
  }

  /** A write that references the current slab went asynchronous: keep the slab until `release`. */
  pin(): Slab {
    this.slab.refs++;
    return this.slab;
  }

  /** The asynchronous write that pinned `slab` completed (or failed). */
  release(slab: Slab): void {
    slab.refs--;
  }

  /**
   * Every region handed out has been written (end of the port's flush). If no write still reads
   * the slab, start over at its beginning.
   */
  recycle(): void {
    if (this.tip === null && this.slab.refs === 0) {
      this.offset = 0;
    }
  }
}
