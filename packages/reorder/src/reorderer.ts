import { DuplicateSequenceError, InvalidOptionError, InvalidSequenceError, WindowOverflowError } from './errors.js';
import { validateSeq, validateWindow } from './internal/validate.js';

/**
 * Receives each item once, in sequence order. Called synchronously from inside
 * {@link Reorderer.push} (or {@link Reorderer.drain}); it may call `push()` or `reset()` on the
 * same reorderer.
 */
export type ReleaseCallback<T> = (item: T, seq: number) => void;

/** Options of {@link Reorderer}. */
export interface ReordererOptions<T> {
  /**
   * Called once per item, strictly in sequence order, as soon as every earlier item has been
   * released. Registered once: no closure or array is allocated per item. Required.
   */
  onRelease: ReleaseCallback<T>;
  /**
   * How many sequence numbers, starting at {@link Reorderer.expected}, may be buffered. A push
   * `window` or more ahead of `expected` is refused with `IOCP_ERR_REORDER_WINDOW`. Must be a
   * power of two in `[1, 2^24]`; memory is one slot per window entry, allocated up front.
   * Default `1024`.
   */
  window?: number | undefined;
  /** The first sequence number expected, an integer in `[0, 2^32)`. Default `0`. */
  first?: number | undefined;
}

/** Default {@link ReordererOptions.window}. */
export const DEFAULT_WINDOW = 1024;

/**
 * Releases items strictly in sequence order, whatever order they are pushed in.
 *
 * ```
 *  push(2,c) push(0,a) push(3,d) push(1,b)
 *      │         │         │         │
 *      ▼         ▼         ▼         ▼
 *  ring[seq & mask]:  [a][b][c][d]            expected = 0
 *                      │  │  │  │
 *  onRelease ◄─────────┴──┴──┴──┘  a,0  b,1  c,2  d,3
 * ```
 *
 * - **Delivery:** items leave through the `onRelease(item, seq)` callback given once to the
 *   constructor. `push()` returns how many items that call released (0 when the item was
 *   buffered), so no array or closure is created per item.
 * - **O(1) per item:** a ring of `window` slots indexed by `seq & (window - 1)`; an in-order push
 *   never touches the ring.
 * - **Wrap-around:** sequence numbers are unsigned 32-bit and compared in serial-number order
 *   (RFC 1982): after `2^32 - 1` comes `0`. A sequence number up to `2^31` behind `expected`
 *   counts as already released (`IOCP_ERR_REORDER_DUPLICATE`); one `window` or more ahead is
 *   refused (`IOCP_ERR_REORDER_WINDOW`).
 * - **Memory:** bounded by the window; a refused push leaves the reorderer unchanged.
 * - **Errors in `onRelease`:** the exception propagates out of `push()`; the item being
 *   delivered counts as released, and any later items that were ready stay buffered until
 *   {@link Reorderer.drain} is called.
 */
export class Reorderer<T> {
  /** Number of slots: the furthest ahead of `expected` a push may be, exclusive. */
  readonly window: number;

  readonly #mask: number;
  readonly #items: (T | undefined)[];
  readonly #filled: Uint8Array;
  readonly #onRelease: ReleaseCallback<T>;
  readonly #first: number;
  #expected: number;
  #pending = 0;

  /** @throws `IOCP_ERR_INVALID_OPTION` for a missing callback or an out-of-range option. */
  constructor(options: ReordererOptions<T>) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidOptionError('options', 'expected an object with an onRelease callback');
    }
    if (typeof options.onRelease !== 'function') {
      throw new InvalidOptionError('onRelease', 'expected a function');
    }
    this.window = options.window === undefined ? DEFAULT_WINDOW : validateWindow(options.window);
    this.#first = options.first === undefined ? 0 : validateSeq('first', options.first);
    this.#mask = this.window - 1;
    this.#items = new Array<T | undefined>(this.window).fill(undefined);
    this.#filled = new Uint8Array(this.window);
    this.#onRelease = options.onRelease;
    this.#expected = this.#first;
  }

  /** The next sequence number to be released (unsigned 32-bit). */
  get expected(): number {
    return this.#expected;
  }

  /** How many items are buffered, waiting for an earlier sequence number. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Accept item `seq`. If it is the expected one, it is released at once, followed by every
   * buffered item that is now in order; otherwise it is buffered.
   *
   * @returns the number of items released by this call (0 when `item` was buffered).
   * @throws `IOCP_ERR_REORDER_INVALID_SEQ` when `seq` is not an integer in `[0, 2^32)`;
   *   `IOCP_ERR_REORDER_WINDOW` when `seq` is `window` or more ahead of `expected`;
   *   `IOCP_ERR_REORDER_DUPLICATE` when `seq` is already buffered or already released.
   *   A refused item leaves the reorderer unchanged.
   */
  push(seq: number, item: T): number {
    if (seq >>> 0 !== seq) throw new InvalidSequenceError(seq);
    // Signed 32-bit distance from expected: serial-number arithmetic modulo 2^32.
    const distance = (seq - this.#expected) | 0;
    const slot = seq & this.#mask;
    if (distance === 0 && this.#filled[slot] === 0) {
      // In order: deliver without touching the ring.
      this.#expected = (seq + 1) >>> 0;
      this.#onRelease(item, seq);
      return this.#pending === 0 ? 1 : 1 + this.drain();
    }
    if (distance < 0) throw new DuplicateSequenceError(seq, true);
    if (distance >= this.window) throw new WindowOverflowError(seq, this.#expected, this.window);
    if (this.#filled[slot] !== 0) throw new DuplicateSequenceError(seq, false);
    this.#items[slot] = item;
    this.#filled[slot] = 1;
    this.#pending++;
    return 0;
  }

  /**
   * Release every buffered item that is in order. `push()` already does this; call it only to
   * resume after an `onRelease` callback threw.
   *
   * @returns the number of items released.
   */
  drain(): number {
    const items = this.#items;
    const filled = this.#filled;
    let released = 0;
    for (;;) {
      const seq = this.#expected;
      const slot = seq & this.#mask;
      if (filled[slot] === 0) return released;
      const item = items[slot] as T;
      items[slot] = undefined;
      filled[slot] = 0;
      this.#pending--;
      this.#expected = (seq + 1) >>> 0;
      released++;
      this.#onRelease(item, seq);
    }
  }

  /**
   * Drop every buffered item (without releasing it) and wait for `nextExpected` next.
   *
   * @param nextExpected the next sequence number to release; default: the `first` option.
   * @returns the number of buffered items dropped.
   * @throws `IOCP_ERR_INVALID_OPTION` when `nextExpected` is not an integer in `[0, 2^32)`.
   */
  reset(nextExpected?: number): number {
    const next = nextExpected === undefined ? this.#first : validateSeq('nextExpected', nextExpected);
    const dropped = this.#pending;
    if (dropped !== 0) {
      this.#items.fill(undefined);
      this.#filled.fill(0);
      this.#pending = 0;
    }
    this.#expected = next;
    return dropped;
  }
}
