import { describe, expect, it } from 'vitest';
import { SentStream } from '../../src/internal/sent-stream.js';

function streamOf(...parts: string[]): SentStream {
  const s = new SentStream();
  for (const p of parts) s.push(Buffer.from(p));
  return s;
}

describe('SentStream', () => {
  it('accepts the sent bytes split at every boundary', () => {
    const sent = 'hello, world: the echo must match';
    for (let cut = 0; cut <= sent.length; cut++) {
      const s = streamOf(sent.slice(0, 7), sent.slice(7, 20), sent.slice(20));
      const got = Buffer.from(sent);
      expect(s.verify(got, 0, cut)).toBe(-1);
      expect(s.verify(got, cut, got.length)).toBe(-1);
    }
  });

  it('returns the index of the first differing byte and the expected byte', () => {
    const s = streamOf('abc', 'def');
    const got = Buffer.from('xxabcdXf');
    expect(s.verify(got, 2, 8)).toBe(6);
    expect(s.expectedByte).toBe('e'.charCodeAt(0));
  });

  it('reports bytes that were never sent with expected = -1', () => {
    const s = streamOf('ab');
    expect(s.verify(Buffer.from('abc'), 0, 3)).toBe(2);
    expect(s.expectedByte).toBe(-1);
  });

  it('detects two chunks in swapped order', () => {
    const s = streamOf('AAAA', 'BBBB');
    expect(s.verify(Buffer.from('BBBBAAAA'), 0, 8)).toBe(0);
  });

  it('keeps working across many small buffers (compaction)', () => {
    const s = new SentStream();
    const all: number[] = [];
    for (let i = 0; i < 5000; i++) {
      s.push(Buffer.from([i & 0xff, (i >> 8) & 0xff]));
      all.push(i & 0xff, (i >> 8) & 0xff);
    }
    const got = Buffer.from(all);
    for (let pos = 0; pos < got.length; pos += 333) {
      expect(s.verify(got, pos, Math.min(got.length, pos + 333))).toBe(-1);
    }
    s.push(Buffer.from('z'));
    expect(s.verify(Buffer.from('z'), 0, 1)).toBe(-1);
  });
});
