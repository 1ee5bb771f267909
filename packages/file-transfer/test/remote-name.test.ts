import { describe, expect, it } from 'vitest';
import { BadPathError, parseRemoteFolder, parseRemoteName } from '../src/index.js';
import { HOSTILE_NAMES } from './helpers/hostile-names.js';

describe('parseRemoteName', () => {
  it('accepts relative names with / and splits them', () => {
    expect(parseRemoteName('a/b/c.txt')).toEqual(['a', 'b', 'c.txt']);
    expect(parseRemoteName('.hidden')).toEqual(['.hidden']);
    expect(parseRemoteName('..a')).toEqual(['..a']);
    expect(parseRemoteName('ünï cødé/日本.txt')).toEqual(['ünï cødé', '日本.txt']);
    expect(parseRemoteName('x'.repeat(255))).toHaveLength(1);
    expect(parseRemoteName('a/.iocp-ft')).toEqual(['a', '.iocp-ft']);
  });

  for (const [name, why] of HOSTILE_NAMES) {
    it(`refuses ${why} with IOCP_ERR_FT_BAD_PATH`, () => {
      let caught: unknown;
      try {
        parseRemoteName(name);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(BadPathError);
      expect((caught as BadPathError).code).toBe('IOCP_ERR_FT_BAD_PATH');
    });
  }

  it('parseRemoteFolder accepts the root and a trailing slash', () => {
    expect(parseRemoteFolder('')).toEqual([]);
    expect(parseRemoteFolder('a/b/')).toEqual(['a', 'b']);
    expect(() => parseRemoteFolder('../')).toThrow(BadPathError);
  });
});
