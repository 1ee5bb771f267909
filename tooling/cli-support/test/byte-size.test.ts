import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../src/index.js';

describe('parseByteSize', () => {
  it('reads plain numbers and binary suffixes in any case', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['65536', 65536],
      ['512b', 512],
      ['64k', 64 * 1024],
      ['64K', 64 * 1024],
      ['4kb', 4096],
      ['4KiB', 4096],
      ['1m', 1024 ** 2],
      ['16MiB', 16 * 1024 ** 2],
      ['2 mb', 2 * 1024 ** 2],
      ['1g', 1024 ** 3],
      ['1GiB', 1024 ** 3],
      ['1t', 1024 ** 4],
      ['3TiB', 3 * 1024 ** 4],
      [' 7k ', 7 * 1024],
    ];
    for (const [text, bytes] of cases) expect(parseByteSize(text, 0, Number.MAX_SAFE_INTEGER), text).toBe(bytes);
  });

  it('refuses what is not a size, with the examples in the message', () => {
    for (const text of ['', 'lots', '-1', '1.5m', '1e6', '0x10', '1p', '1kk', 'k', '1 2', '١٠']) {
      expect(() => parseByteSize(text, 0, Number.MAX_SAFE_INTEGER), text).toThrow(/is not a size \(digits with an optional k, m, g or t suffix/);
    }
  });

  it('enforces [min, max] and safe integers', () => {
    expect(parseByteSize('1', 1, 1)).toBe(1);
    expect(() => parseByteSize('0', 1, 10)).toThrow("'0' is out of range 1..10 bytes");
    expect(() => parseByteSize('2g', 1, 1024 ** 3)).toThrow(/out of range 1\.\.1073741824 bytes/);
    expect(() => parseByteSize('99999999999t', 0, Number.MAX_SAFE_INTEGER)).toThrow(/out of range/);
    expect(() => parseByteSize('9'.repeat(400), 0, Number.MAX_SAFE_INTEGER)).toThrow(/out of range/);
  });
});
