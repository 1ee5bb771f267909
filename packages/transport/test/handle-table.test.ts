import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandleTable, slotOf } from '../src/internal/handle-table.js';

/** V8's own test of "small integer, not a boxed double" (vitest runs with --allow-natives-syntax). */
const isSmi = new Function('x', 'return %IsSmi(x)') as (x: unknown) => boolean;

describe('HandleTable', () => {
  it('hands out small integers (not boxed doubles), also after slots are reused', () => {
    const t = new HandleTable<string>();
    let h = t.add('a');
    expect(isSmi(h)).toBe(true);
    for (let i = 0; i < 100; i++) {
      t.remove(h);
      h = t.add('a');
      expect(isSmi(h)).toBe(true);
    }
  });

  it('wraps a generation after 2^32: handles stay safe integers', () => {
    const t = new HandleTable<string>();
    const a = t.add('a');
    (t as unknown as { generations: number[] }).generations[slotOf(a)] = 0x1_0000_0000;
    const big = 0x1_0000_0000 * 2 ** 20 + slotOf(a);
    expect(t.get(big)).toBe('a');
    t.remove(big);
    const b = t.add('b');
    expect(b).toBe(2 ** 20 + slotOf(a));
    expect(Number.isSafeInteger(big)).toBe(true);
  });

  it('reuses a freed slot with a new generation; the old handle is stale', () => {
    const t = new HandleTable<string>();
    const a = t.add('a');
    t.remove(a);
    const b = t.add('b');
    expect(slotOf(b)).toBe(slotOf(a));
    expect(b).not.toBe(a);
    expect(t.get(a)).toBeUndefined();
    expect(t.get(b)).toBe('b');
    t.remove(a); // stale remove is a no-op
    expect(t.get(b)).toBe('b');
    expect(t.size).toBe(1);
  });

  it('refuses garbage handles', () => {
    const t = new HandleTable<string>();
    t.add('a');
    for (const h of [-1, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(t.get(h)).toBeUndefined();
  });

  it('model check: a handle names its entry until removed, and never anything else afterwards', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(20)), { maxLength: 300 }), (ops) => {
        const t = new HandleTable<number>();
        const live = new Map<number, number>();
        const dead: number[] = [];
        let next = 0;
        for (const op of ops) {
          if (op === -1 || live.size === 0) {
            const v = next++;
            const h = t.add(v);
            expect(live.has(h)).toBe(false);
            live.set(h, v);
          } else {
            const h = [...live.keys()][op % live.size]!;
            t.remove(h);
            live.delete(h);
            dead.push(h);
          }
          for (const [h, v] of live) expect(t.get(h)).toBe(v);
          for (const h of dead) expect(t.get(h)).toBeUndefined();
          expect(t.size).toBe(live.size);
        }
      }),
    );
  });
});
