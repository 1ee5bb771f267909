/**
 * In-flight messages of one connection, oldest first: where each ends in the connection's byte
 * stream and when it was sent. A message is answered once that many bytes have come back.
 * Two parallel typed arrays (no object per message); grows by doubling up to `maxCapacity`.
 */
export class MessageRing {
  private ends: Float64Array;
  private times: Float64Array;
  private mask: number;
  private head = 0;
  /** Messages in flight. */
  size = 0;
  private readonly maxCapacity: number;

  constructor(initialCapacity: number, maxCapacity: number) {
    const cap = nextPow2(Math.max(1, Math.min(initialCapacity, maxCapacity)));
    this.ends = new Float64Array(cap);
    this.times = new Float64Array(cap);
    this.mask = cap - 1;
    this.maxCapacity = nextPow2(Math.max(1, maxCapacity));
  }

  /** Add a message ending at stream offset `end`, sent at `time` (ms). False when full. */
  push(end: number, time: number): boolean {
    if (this.size > this.mask) {
      if (this.mask + 1 >= this.maxCapacity) return false;
      this.grow();
    }
    const i = (this.head + this.size) & this.mask;
    this.ends[i] = end;
    this.times[i] = time;
    this.size++;
    return true;
  }

  /** Stream end offset of the oldest message (only when `size > 0`). */
  headEnd(): number {
    return this.ends[this.head]!;
  }

  /** Send time of the oldest message (only when `size > 0`). */
  headTime(): number {
    return this.times[this.head]!;
  }

  /** Drop the oldest message. */
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.size--;
  }

  /** Room left before `push` fails. */
  room(): number {
    return this.maxCapacity - this.size;
  }

  /** Forget everything. */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const ends = new Float64Array(cap);
    const times = new Float64Array(cap);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & this.mask;
      ends[k] = this.ends[i]!;
      times[k] = this.times[i]!;
    }
    this.ends = ends;
    this.times = times;
    this.mask = cap - 1;
    this.head = 0;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
