/** Size of one slab of the outgoing pool. */
export const SLAB_SIZE = 64 * 1024;

/** What the pool needs from a connection that holds the tip region. */
export interface RegionHolder {
  /** Where the holder has written up to in its region; the pool takes back everything after it. */
  regionPos: number;
  /** End of the holder's region; set to `regionPos` when the pool takes the tail back. */
  regionEnd: number;
}

/**
 * A bump allocator of outgoing bytes shared by every connection of a port ("pooled outgoing
 * buffer"). Small frames sent in one turn are encoded straight into a region of the current
 * slab, so each connection's frames of the turn sit side by side and leave as one buffer.
 *
 * The holder of the newest region gets the whole rest of the slab; when another connection needs
 * room, or the holder flushes, the unused tail is taken back. Regions are never reused: a slab is
 * garbage once every socket that references part of it has written it.
 */
export class OutPool {
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private offset = 0;
  private tip: RegionHolder | null = null;

  /**
   * Hand `holder` a region of at least `n` bytes starting at the returned buffer's `regionPos`.
   * Returns the slab; the holder's `regionPos`/`regionEnd` are set.
   */
  take(holder: RegionHolder, n: number): Buffer {
    if (this.tip !== null && this.tip !== holder) this.trim(this.tip);
    if (this.slab.length - this.offset < n) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
      this.offset = 0;
    }
    holder.regionPos = this.offset;
    holder.regionEnd = this.slab.length;
    this.offset = this.slab.length;
    this.tip = holder;
    return this.slab;
  }

  /** Give back the unused tail of `holder`'s region if it is the newest one. */
  trim(holder: RegionHolder): void {
    if (this.tip !== holder) return;
    this.offset = holder.regionPos;
    holder.regionEnd = holder.regionPos;
    this.tip = null;
  }
}
