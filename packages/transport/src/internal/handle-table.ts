/** Bits of a handle that hold the slot index: up to 2^20 (1 048 576) live connections. */
export const SLOT_BITS = 20;
// A shift, not `2 ** SLOT_BITS`: V8 evaluates that to a boxed double, and every handle computed
// from it would be one too (16 bytes per connection instead of a small integer).
const SLOT_COUNT = 1 << SLOT_BITS;
/** Generations wrap after this one, long before 2^33, so a handle stays a safe integer. */
const MAX_GENERATION = 0x1_0000_0000;
const SLOT_MASK = SLOT_COUNT - 1;

/**
 * Maps numeric handles to live entries. A handle is `generation * 2^20 + slot`: the slot is an
 * index into a dense array, the generation is bumped every time the slot is freed, so a handle
 * kept after its connection closed never matches the entry that later reuses the slot.
 * Freed slots are reused last-in first-out, which keeps the array dense.
 */
export class HandleTable<T> {
  private readonly entries: (T | undefined)[] = [];
  private readonly generations: number[] = [];
  private readonly free: number[] = [];
  private liveCount = 0;

  /** Number of live entries. */
  get size(): number {
    return this.liveCount;
  }

  /** One past the highest slot ever used (iteration bound). */
  get extent(): number {
    return this.entries.length;
  }

  /** Store `entry` and return its new handle. Throws a RangeError when 2^20 slots are live. */
  add(entry: T): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.entries.length;
      if (slot >= SLOT_COUNT) throw new RangeError('handle table full (2^20 live connections)');
      this.entries.push(undefined);
      this.generations.push(1);
    }
    this.entries[slot] = entry;
    this.liveCount++;
    return this.generations[slot]! * SLOT_COUNT + slot;
  }

  /** The live entry named by `handle`, or undefined for a freed or stale handle. */
  get(handle: number): T | undefined {
    if (!Number.isSafeInteger(handle) || handle < 0) return undefined;
    const slot = handle % SLOT_COUNT;
    if (this.generations[slot] !== Math.floor(handle / SLOT_COUNT)) return undefined;
    return this.entries[slot];
  }

  /** Entry at a slot index (for sweeps), or undefined. */
  at(slot: number): T | undefined {
    return this.entries[slot];
  }

  /** Free the slot of `handle` (no-op when stale). The slot's generation moves on. */
  remove(handle: number): void {
    const slot = handle % SLOT_COUNT;
    if (this.generations[slot] !== Math.floor(handle / SLOT_COUNT) || this.entries[slot] === undefined) return;
    this.entries[slot] = undefined;
    // Compared, not taken modulo: `%` by a constant above the small-integer range would turn
    // every generation (and so every handle) into a boxed double.
    const gen = this.generations[slot]!;
    this.generations[slot] = gen >= MAX_GENERATION ? 1 : gen + 1;
    this.free.push(slot);
    this.liveCount--;
  }
}

/** The slot part of a handle. */
export function slotOf(handle: number): number {
  return handle & SLOT_MASK;
}
