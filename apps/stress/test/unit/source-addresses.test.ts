import { describe, expect, it } from 'vitest';
import { MAX_SOURCES, isLocalAddress, parseSource } from '../../src/internal/source-addresses.js';

describe('parseSource', () => {
  it('takes one IPv4 or IPv6 address, or an IPv4 range with both ends', () => {
    expect(parseSource('127.0.0.2')).toEqual(['127.0.0.2']);
    expect(parseSource('::1')).toEqual(['::1']);
    expect(parseSource('127.0.0.254-127.0.1.1')).toEqual(['127.0.0.254', '127.0.0.255', '127.0.1.0', '127.0.1.1']);
    expect(parseSource('127.0.0.5-127.0.0.5')).toEqual(['127.0.0.5']);
  });

  it('refuses names, junk, IPv6 ranges, reversed and oversized ranges', () => {
    for (const bad of ['localhost', '', '127.0.0', '127.0.0.256', '::1-::2', '127.0.0.9-127.0.0.2', '127.0.0.1-', `10.0.0.0-10.0.${MAX_SOURCES / 256}.0`]) {
      expect(() => parseSource(bad), bad).toThrow();
    }
    expect(parseSource(`10.0.0.0-10.0.${MAX_SOURCES / 256 - 1}.255`)).toHaveLength(MAX_SOURCES);
  });
});

describe('isLocalAddress', () => {
  it('all of 127.0.0.0/8 and the loopback interface count; documentation addresses do not', () => {
    expect(isLocalAddress('127.0.0.1')).toBe(true);
    expect(isLocalAddress('127.1.2.3')).toBe(true);
    expect(isLocalAddress('192.0.2.1')).toBe(false);
    expect(isLocalAddress('2001:db8::1')).toBe(false);
  });
});
