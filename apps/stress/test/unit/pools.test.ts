import { describe, expect, it } from 'vitest';
import { FramePool } from '../../src/internal/frame-pool.js';
import { PayloadPool } from '../../src/internal/payload-pool.js';

describe('PayloadPool', () => {
  it('picks sizes in range and offsets that fit', () => {
    const p = new PayloadPool(10, 20);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const size = p.pickSize();
      expect(size).toBeGreaterThanOrEqual(10);
      expect(size).toBeLessThanOrEqual(20);
      seen.add(size);
      const off = p.pickOffset(size);
      expect(off + size).toBeLessThanOrEqual(p.bytes.length);
    }
    expect(seen.size).toBe(11);
  });
});

describe('FramePool', () => {
  it('holds back-to-back valid frames with sizes in range', () => {
    const fp = new FramePool(new PayloadPool(1, 3000), 3000);
    expect(fp.count).toBeGreaterThanOrEqual(64);
    for (let i = 0; i < fp.count; i++) {
      const start = fp.starts[i]!;
      const len = fp.bytes.readUInt32BE(start);
      expect(len).toBeGreaterThanOrEqual(1);
      expect(len).toBeLessThanOrEqual(3000);
      expect(fp.starts[i + 1]).toBe(start + 4 + len);
    }
    expect(fp.starts[fp.count]).toBe(fp.bytes.length);
  });

  it('neighbouring frames differ, so a swap is visible', () => {
    const fp = new FramePool(new PayloadPool(64, 64), 64);
    for (let i = 0; i + 1 < fp.count; i += 97) {
      const a = fp.bytes.subarray(fp.starts[i]!, fp.starts[i + 1]!);
      const b = fp.bytes.subarray(fp.starts[i + 1]!, fp.starts[i + 2]!);
      expect(a.equals(b)).toBe(false);
    }
  });
});
