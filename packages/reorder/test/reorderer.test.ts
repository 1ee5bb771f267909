import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW,
  DuplicateSequenceError,
  InvalidOptionError,
  IocpError,
  MAX_WINDOW,
  ReorderError,
  Reorderer,
  WindowOverflowError,
} from '../src/index.js';

/** A reorderer that records what it releases. */
function recording<T>(window?: number, first?: number) {
  const released: [T, number][] = [];
  const r = new Reorderer<T>({
    window,
    first,
    onRelease: (item, seq) => {
      released.push([item, seq]);
    },
  });
  return { r, released };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    // Every error is an IocpError; all but the shared InvalidOptionError are ReorderErrors.
    if (error instanceof IocpError) {
      expect(error instanceof ReorderError).toBe(!(error instanceof InvalidOptionError));
      return error.code;
    }
    throw error;
  }
  return undefined;
}

describe('Reorderer: ordering', () => {
  it('releases in-order pushes immediately', () => {
    const { r, released } = recording<string>();
    expect(r.push(0, 'a')).toBe(1);
    expect(r.push(1, 'b')).toBe(1);
    expect(released).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(r.expected).toBe(2);
    expect(r.pending).toBe(0);
  });

  it('buffers until the gap is filled, then releases the run', () => {
    const { r, released } = recording<string>(8);
    expect(r.push(2, 'c')).toBe(0);
    expect(r.push(3, 'd')).toBe(0);
    expect(r.push(1, 'b')).toBe(0);
    expect(r.pending).toBe(3);
    expect(released).toEqual([]);
    expect(r.push(0, 'a')).toBe(4);
    expect(released.map(([item]) => item).join('')).toBe('abcd');
    expect(r.pending).toBe(0);
    expect(r.expected).toBe(4);
  });

  it('delivers undefined and null items like any other', () => {
    const { r, released } = recording<undefined | null>(4);
    r.push(1, null);
    r.push(0, undefined);
    expect(released).toEqual([
      [undefined, 0],
      [null, 1],
    ]);
  });

  it('any permutation of a window-sized batch is released in order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }).map((log) => 1 << log),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(fc.integer()),
        (window, first, batches, randoms) => {
          const { r, released } = recording<number>(window, first);
          const rand = randoms[Symbol.iterator]();
          let total = 0;
          for (let b = 0; b < batches; b++) {
            // Each batch: the next `window` seq numbers in a random order (Fisher-Yates).
            const offsets = Array.from({ length: window }, (_, i) => i);
            for (let i = offsets.length - 1; i > 0; i--) {
              const j = Math.abs(rand.next().value as number) % (i + 1);
              [offsets[i], offsets[j]] = [offsets[j]!, offsets[i]!];
            }
            const base = total;
            for (const off of offsets) r.push((first + base + off) >>> 0, base + off);
            total += window;
          }
          expect(released.length).toBe(total);
          for (let i = 0; i < total; i++) {
            expect(released[i]).toEqual([i, (first + i) >>> 0]);
          }
          expect(r.pending).toBe(0);
          expect(r.expected).toBe((first + total) >>> 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('interleaved arrivals bounded by the window are released in order (property)', () => {
    // A stream where each item arrives at most `window - 1` positions late: a sliding shuffle.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).map((log) => 1 << log),
        fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
        (window, delays) => {
          const n = delays.length;
          // Item i may be held back by up to window-1 positions: sort by i + delay.
          const order = delays
            .map((d, i) => ({ i, key: i + (d % window) }))
            .sort((a, b) => a.key - b.key || a.i - b.i);
          const { r, released } = recording<number>(window);
          for (const { i } of order) {
            // Only push when within the window of expected; that is guaranteed by construction.
            r.push(i, i);
          }
          expect(released.map(([item]) => item)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Reorderer: 32-bit wrap-around', () => {
  it('continues from 2^32 - 1 to 0', () => {
    const { r, released } = recording<string>(8, 0xfffffffe);
    expect(r.push(1, 'd')).toBe(0);
    expect(r.push(0, 'c')).toBe(0);
    expect(r.push(0xffffffff, 'b')).toBe(0);
    expect(r.push(0xfffffffe, 'a')).toBe(4);
    expect(released).toEqual([
      ['a', 0xfffffffe],
      ['b', 0xffffffff],
      ['c', 0],
      ['d', 1],
    ]);
    expect(r.expected).toBe(2);
  });

  it('refuses a wrapped seq beyond the window with the window code', () => {
    const { r } = recording<string>(4, 0xfffffffe);
    expect(codeOf(() => r.push(2, 'x'))).toBe('IOCP_ERR_REORDER_WINDOW');
    expect(codeOf(() => r.push(1, 'x'))).toBeUndefined();
  });

  it('treats seq just before a wrapped expected as already released', () => {
    const { r } = recording<string>(4, 1);
    expect(codeOf(() => r.push(0xffffffff, 'x'))).toBe('IOCP_ERR_REORDER_DUPLICATE');
    expect(codeOf(() => r.push(0, 'x'))).toBe('IOCP_ERR_REORDER_DUPLICATE');
  });

  it('releases shuffled runs that straddle 2^32 in order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        fc.func(fc.integer()),
        (count, before, shuffleKey) => {
          const first = (0x100000000 - before) >>> 0;
          const seqs = Array.from({ length: count }, (_, i) => i);
          seqs.sort((a, b) => shuffleKey(a) - shuffleKey(b) || a - b);
          const { r, released } = recording<number>(64, first);
          for (const i of seqs) r.push((first + i) >>> 0, i);
          expect(released.map(([item]) => item)).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(released.map(([, seq]) => seq)).toEqual(
            Array.from({ length: count }, (_, i) => (first + i) >>> 0),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Reorderer: refused pushes', () => {
  it('refuses a buffered duplicate and keeps the first item', () => {
    const { r, released } = recording<string>(8);
    r.push(3, 'first');
    let caught: unknown;
    try {
      r.push(3, 'second');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DuplicateSequenceError);
    expect((caught as DuplicateSequenceError).code).toBe('IOCP_ERR_REORDER_DUPLICATE');
    expect((caught as DuplicateSequenceError).released).toBe(false);
    expect(r.pending).toBe(1);
    r.push(0, 'a');
    r.push(1, 'b');
    r.push(2, 'c');
    expect(released.map(([item]) => item)).toEqual(['a', 'b', 'c', 'first']);
  });

  it('refuses an already released seq', () => {
    const { r } = recording<string>(8);
    r.push(0, 'a');
    let caught: unknown;
    try {
      r.push(0, 'again');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DuplicateSequenceError);
    expect((caught as DuplicateSequenceError).released).toBe(true);
    expect(r.expected).toBe(1);
  });

  it('refuses a seq window or more ahead, leaving state unchanged', () => {
    const { r, released } = recording<string>(4);
    r.push(1, 'b');
    let caught: unknown;
    try {
      r.push(4, 'far');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WindowOverflowError);
    const err = caught as WindowOverflowError;
    expect([err.code, err.seq, err.expected, err.window]).toEqual(['IOCP_ERR_REORDER_WINDOW', 4, 0, 4]);
    expect(r.pending).toBe(1);
    expect(r.push(3, 'd')).toBe(0); // window - 1 ahead is fine
    r.push(0, 'a');
    r.push(2, 'c');
    expect(released.map(([item]) => item)).toEqual(['a', 'b', 'c', 'd']);
    // The window slides with expected: 4..7 are acceptable now.
    expect(codeOf(() => r.push(7, 'h'))).toBeUndefined();
    expect(codeOf(() => r.push(8, 'i'))).toBe('IOCP_ERR_REORDER_WINDOW');
  });

  it('never buffers more than window items (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }).map((log) => 1 << log),
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 200 }),
        (window, seqs) => {
          const { r, released } = recording<number>(window);
          const accepted = new Set<number>();
          for (const seq of seqs) {
            const before = r.expected;
            const code = codeOf(() => r.push(seq, seq));
            const distance = seq - before;
            if (distance < 0 || accepted.has(seq)) expect(code).toBe('IOCP_ERR_REORDER_DUPLICATE');
            else if (distance >= window) expect(code).toBe('IOCP_ERR_REORDER_WINDOW');
            else {
              expect(code).toBeUndefined();
              accepted.add(seq);
            }
            expect(r.pending).toBeLessThanOrEqual(window);
            expect(r.pending + released.length).toBe(accepted.size);
          }
          // Released items form the prefix 0..expected-1.
          expect(released.map(([, s]) => s)).toEqual(Array.from({ length: r.expected }, (_, i) => i));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses sequence numbers that are not uint32', () => {
    const { r } = recording<string>(4);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf(() => r.push(bad, 'x'))).toBe('IOCP_ERR_REORDER_INVALID_SEQ');
    }
    expect(r.pending).toBe(0);
  });
});

describe('Reorderer: reset', () => {
  it('drops buffered items and restarts at the given seq', () => {
    const { r, released } = recording<string>(8);
    r.push(0, 'a');
    r.push(2, 'c');
    r.push(3, 'd');
    expect(r.reset(100)).toBe(2);
    expect(r.pending).toBe(0);
    expect(r.expected).toBe(100);
    r.push(101, 'y');
    r.push(100, 'x');
    // Slots 2 and 3 were cleared: 'c' and 'd' never come back.
    r.push(102, 'z');
    r.push(103, 'w');
    expect(released.map(([item]) => item)).toEqual(['a', 'x', 'y', 'z', 'w']);
  });

  it('defaults to the first option', () => {
    const { r } = recording<string>(8, 42);
    r.push(42, 'a');
    r.push(44, 'c');
    expect(r.reset()).toBe(1);
    expect(r.expected).toBe(42);
    expect(r.pending).toBe(0);
  });

  it('validates its argument', () => {
    const { r } = recording<string>(8);
    expect(codeOf(() => r.reset(-1))).toBe('IOCP_ERR_INVALID_OPTION');
    expect(codeOf(() => r.reset(2 ** 32))).toBe('IOCP_ERR_INVALID_OPTION');
  });
});

describe('Reorderer: callbacks', () => {
  it('supports push() from inside onRelease without breaking order', () => {
    const released: number[] = [];
    const r: Reorderer<number> = new Reorderer<number>({
      window: 8,
      onRelease: (item) => {
        released.push(item);
        if (item === 1) r.push(3, 3); // re-entrant push of a later seq
        if (item === 2) r.push(4, 4);
      },
    });
    r.push(2, 2);
    r.push(1, 1);
    r.push(0, 0);
    expect(released).toEqual([0, 1, 2, 3, 4]);
    expect(r.pending).toBe(0);
    expect(r.expected).toBe(5);
  });

  it('keeps state consistent when onRelease throws, and drain() resumes', () => {
    const released: number[] = [];
    const r = new Reorderer<number>({
      window: 8,
      onRelease: (item) => {
        if (item === 1 && !released.includes(-1)) {
          released.push(-1);
          throw new Error('boom');
        }
        released.push(item);
      },
    });
    r.push(1, 1);
    r.push(2, 2);
    expect(() => r.push(0, 0)).toThrow('boom');
    // 0 delivered, 1 counted as released (it threw), 2 still buffered.
    expect(r.expected).toBe(2);
    expect(r.pending).toBe(1);
    expect(codeOf(() => r.push(2, 2))).toBe('IOCP_ERR_REORDER_DUPLICATE');
    expect(r.drain()).toBe(1);
    expect(released).toEqual([0, -1, 2]);
    expect(r.pending).toBe(0);
  });
});

describe('Reorderer: options', () => {
  it('has documented defaults', () => {
    const r = new Reorderer<number>({ onRelease: () => {} });
    expect(r.window).toBe(DEFAULT_WINDOW);
    expect(r.expected).toBe(0);
    expect(r.pending).toBe(0);
  });

  it('accepts the extreme windows', () => {
    expect(new Reorderer<number>({ window: 1, onRelease: () => {} }).window).toBe(1);
    expect(MAX_WINDOW).toBe(2 ** 24);
  });

  it.each([
    [{ window: 0 }, 'window'],
    [{ window: 3 }, 'window'],
    [{ window: 1.5 }, 'window'],
    [{ window: MAX_WINDOW * 2 }, 'window'],
    [{ window: '8' }, 'window'],
    [{ first: -1 }, 'first'],
    [{ first: 2 ** 32 }, 'first'],
    [{ first: 0.5 }, 'first'],
  ])('refuses %o', (bad, option) => {
    let caught: unknown;
    try {
      new Reorderer<number>({ onRelease: () => {}, ...(bad as object) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionError);
    expect((caught as InvalidOptionError).code).toBe('IOCP_ERR_INVALID_OPTION');
    expect((caught as InvalidOptionError).option).toBe(option);
  });

  it('refuses a missing onRelease', () => {
    expect(codeOf(() => new Reorderer<number>({} as never))).toBe('IOCP_ERR_INVALID_OPTION');
    expect(codeOf(() => new Reorderer<number>(undefined as never))).toBe('IOCP_ERR_INVALID_OPTION');
  });

  it('window 1 accepts only the expected seq', () => {
    const { r, released } = recording<number>(1);
    expect(codeOf(() => r.push(1, 1))).toBe('IOCP_ERR_REORDER_WINDOW');
    r.push(0, 0);
    r.push(1, 1);
    expect(released.length).toBe(2);
  });
});
