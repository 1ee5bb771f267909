import { randomFillSync } from 'node:crypto';
import type { PayloadPool } from './payload-pool.js';

/** Bytes of pre-built frames per engine. */
const POOL_BYTES = 4 * 1024 * 1024;
/** Fewest frames in the pool (sizes near the small-frame limit). */
const MIN_FRAMES = 64;

/**
 * Framed mode with small messages: a block of ready-made frames (`[4-byte BE length][random
 * payload]` back to back, sizes drawn from the size range). A batch of k messages is k
 * consecutive frames from a random index — one `subarray`, written as is: no per-message copy
 * or header write. Consecutive frames differ (random payloads), so a reordered echo still fails
 * verification. Read-only after construction.
 */
export class FramePool {
  /** The frames. */
  readonly bytes: Buffer;
  /** `starts[i]` = offset of frame i; `starts[count]` = end of the last frame. */
  readonly starts: Int32Array;
  /** Frames in the pool. */
  readonly count: number;

  constructor(payloads: PayloadPool, sizeMax: number) {
    const count = Math.max(MIN_FRAMES, Math.floor(POOL_BYTES / (sizeMax + 4)));
    const starts = new Int32Array(count + 1);
    const sizes = new Int32Array(count);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const size = payloads.pickSize();
      sizes[i] = size;
      starts[i] = total;
      total += 4 + size;
    }
    starts[count] = total;
    const bytes = randomFillSync(Buffer.allocUnsafeSlow(total));
    for (let i = 0; i < count; i++) bytes.writeUInt32BE(sizes[i]!, starts[i]!);
    this.bytes = bytes;
    this.starts = starts;
    this.count = count;
  }
}
