import { randomFillSync, randomInt } from 'node:crypto';

/**
 * One block of random bytes per engine; each message's payload is a slice at a pseudo-random
 * offset, so payloads are random, differ from each other (a reordered echo does not match) and
 * cost no per-message random generation. Read-only after construction.
 */
export class PayloadPool {
  /** The random bytes. */
  readonly bytes: Buffer;
  private state: number;
  private readonly sizeMin: number;
  private readonly sizeSpan: number;

  constructor(sizeMin: number, sizeMax: number) {
    const length = Math.max(1 << 20, sizeMax * 2);
    this.bytes = randomFillSync(Buffer.allocUnsafeSlow(length));
    this.state = randomInt(1, 0x7fffffff);
    this.sizeMin = sizeMin;
    this.sizeSpan = sizeMax - sizeMin + 1;
  }

  /** xorshift32: cheap, good enough to pick sizes and offsets. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }

  /** A payload size in `[sizeMin, sizeMax]`. */
  pickSize(): number {
    return this.sizeSpan === 1 ? this.sizeMin : this.sizeMin + (this.next() % this.sizeSpan);
  }

  /** A start offset for a payload of `size` bytes. */
  pickOffset(size: number): number {
    return this.next() % (this.bytes.length - size + 1);
  }
}
