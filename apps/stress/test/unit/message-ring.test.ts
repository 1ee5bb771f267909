import { describe, expect, it } from 'vitest';
import { MessageRing } from '../../src/internal/message-ring.js';

describe('MessageRing', () => {
  it('is FIFO across wrap-around', () => {
    const r = new MessageRing(4, 4);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      while (r.push(next, next * 10)) next++;
      expect(r.size).toBe(4);
      for (let i = 0; i < 3; i++) {
        expect(r.headEnd()).toBe(expected);
        expect(r.headTime()).toBe(expected * 10);
        r.shift();
        expected++;
      }
    }
  });

  it('grows up to maxCapacity, then refuses', () => {
    const r = new MessageRing(2, 100);
    let pushed = 0;
    while (r.push(pushed, 0)) pushed++;
    expect(pushed).toBe(128); // capacity rounds up to a power of two
    expect(r.room()).toBe(0);
    for (let i = 0; i < pushed; i++) {
      expect(r.headEnd()).toBe(i);
      r.shift();
    }
    expect(r.size).toBe(0);
  });
});
