import { describe, expect, it } from 'vitest';
import { parseInteger } from '../src/index.js';

describe('parseInteger', () => {
  it('reads whole decimal numbers in range', () => {
    expect(parseInteger('0', 0, 10)).toBe(0);
    expect(parseInteger('10', 0, 10)).toBe(10);
    expect(parseInteger(' 5 ', 0, 10)).toBe(5);
    expect(parseInteger('007', 0, 10)).toBe(7);
    expect(parseInteger('9007199254740991', 0, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses signs, fractions, exponents, hex, empty and over-long text', () => {
    for (const text of ['', ' ', '-1', '+1', '1.5', '1e3', '0x10', 'ten', '1_000', '12345678901234567', 'Infinity', 'NaN']) {
      expect(() => parseInteger(text, 0, Number.MAX_SAFE_INTEGER), text).toThrow(`'${text}' is not a whole number`);
    }
  });

  it('enforces [min, max]', () => {
    expect(() => parseInteger('0', 1, 10)).toThrow("'0' is out of range 1..10");
    expect(() => parseInteger('11', 1, 10)).toThrow("'11' is out of range 1..10");
    expect(() => parseInteger('9999999999999999', 0, Number.MAX_SAFE_INTEGER)).toThrow(/out of range/);
  });
});
