import { BulkString, type RespRequest } from '@iocp/resp';

/**
 * A stored value: a copy in the JS heap ({@link BulkString}) or a Buffer (see {@link keepValue}),
 * or — what INCR/DECR/INCRBY store — a safe integer as a number, like Redis' integer encoding:
 * the next INCR neither parses nor formats it; a read replies its decimal text ({@link valueReply}).
 */
export type Value = BulkString | Buffer | number;

/** A value as its reply: a bulk string (an integer as its decimal text). */
export function valueReply(v: Value): BulkString | Buffer {
  return typeof v === 'number' ? new BulkString(String(v)) : v;
}

/**
 * Values at most this long are copied into the JS heap as a one-byte string ({@link BulkString}):
 * exact size, moved and freed by the GC, no reference to the socket chunk they came in.
 */
export const HEAP_COPY_MAX = 64 * 1024;

/**
 * How argument `i` of a request (a value, lying in the received bytes) is kept — without
 * pinning memory:
 *
 * - the value fills at least half of the buffer it is a view of (a large value, which the frame
 *   reader received into a buffer of its own, or a chunk that held little else): kept as it is,
 *   no copy — at most 2× its size is held;
 * - otherwise, up to {@link HEAP_COPY_MAX} bytes: copied into the JS heap ({@link BulkString});
 *   a 16-byte value must not keep a 64 KiB socket chunk alive;
 * - otherwise: copied into a Buffer of its exact size.
 */
export function keepValue(req: RespRequest, i: number): Value {
  const n = req.argLength(i);
  if (n * 2 >= req.buffer.buffer.byteLength) return req.arg(i);
  if (n <= HEAP_COPY_MAX) return new BulkString(req.latin1(i));
  return Buffer.from(req.arg(i));
}

/** Counters for INFO and metrics. */
export interface StoreStats {
  keys: number;
  expires: number;
  expiredKeys: number;
  hits: number;
  misses: number;
}

/** Most keys with an expiry the periodic sweep looks at per run (Redis looks at 20 per loop). */
export const SWEEP_BATCH = 200;

/**
 * The key space: one Map from key (the key's bytes as a latin1 string) to value, and a second
 * Map from key to its expiry time (ms since the epoch) for the keys that have one.
 *
 * Expiry is lazy — a key past its time is deleted when a command touches it — plus a bounded
 * sweep ({@link KvStore.sweep}) the server runs periodically: at most {@link SWEEP_BATCH} keys
 * with an expiry per run, resuming where the last run stopped, so keys nobody reads again
 * still go away and a run never blocks the loop.
 */
export class KvStore {
  readonly #values = new Map<string, Value>();
  readonly #expires = new Map<string, number>();
  #cursor: IterableIterator<[string, number]> | undefined = undefined;
  #expired = 0;
  #hits = 0;
  #misses = 0;
  readonly #now: () => number;

  /** @param now - the clock (ms since the epoch); tests pass a fake one. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Keys held (expired keys not yet removed included, like Redis' DBSIZE). */
  get size(): number {
    return this.#values.size;
  }

  /** The value of `key`, or undefined (a key past its expiry is deleted here). */
  get(key: string): Value | undefined {
    const v = this.#values.get(key);
    if (v === undefined) {
      this.#misses++;
      return undefined;
    }
    if (this.#expires.size > 0 && this.#expiredNow(key)) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return v;
  }

  /** Whether `key` exists (not counted as a hit or miss). */
  has(key: string): boolean {
    if (!this.#values.has(key)) return false;
    return !(this.#expires.size > 0 && this.#expiredNow(key));
  }

  /** Set `key`; `expireAt` (ms since the epoch) sets an expiry, `undefined` clears it unless `keepTtl`. */
  set(key: string, value: Value, expireAt?: number, keepTtl = false): void {
    this.#values.set(key, value);
    if (expireAt !== undefined) this.#expires.set(key, expireAt);
    else if (!keepTtl && this.#expires.size > 0) this.#expires.delete(key);
  }

  /** Delete `key`; true if it existed. */
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.#values.delete(key);
    this.#expires.delete(key);
    return true;
  }

  /** Expiry of `key` in ms since the epoch; undefined without one. Call `has` first. */
  expiry(key: string): number | undefined {
    return this.#expires.get(key);
  }

  /** Set the expiry of an existing key. */
  expireAt(key: string, at: number): void {
    this.#expires.set(key, at);
  }

  /** Drop every key. */
  clear(): void {
    this.#values.clear();
    this.#expires.clear();
    this.#cursor = undefined;
  }

  /** The current time of the store's clock. */
  now(): number {
    return this.#now();
  }

  /**
   * Look at up to `batch` keys with an expiry, continuing from the last run, and delete those
   * past their time. Returns how many were deleted.
   */
  sweep(batch = SWEEP_BATCH): number {
    if (this.#expires.size === 0) return 0;
    const now = this.#now();
    let deleted = 0;
    for (let i = 0; i < batch; i++) {
      if (this.#cursor === undefined) this.#cursor = this.#expires.entries();
      const step = this.#cursor.next();
      if (step.done === true) {
        this.#cursor = undefined;
        break;
      }
      const [key, at] = step.value;
      if (at <= now) {
        this.#values.delete(key);
        this.#expires.delete(key);
        this.#expired++;
        deleted++;
      }
    }
    return deleted;
  }

  /** Counters for INFO and metrics. */
  stats(): StoreStats {
    return { keys: this.#values.size, expires: this.#expires.size, expiredKeys: this.#expired, hits: this.#hits, misses: this.#misses };
  }

  #expiredNow(key: string): boolean {
    const at = this.#expires.get(key);
    if (at === undefined || at > this.#now()) return false;
    this.#values.delete(key);
    this.#expires.delete(key);
    this.#expired++;
    return true;
  }
}
