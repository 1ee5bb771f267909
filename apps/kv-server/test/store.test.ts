import { BulkString, RespRequest } from '@iocp/resp';
import { describe, expect, it } from 'vitest';
import { HEAP_COPY_MAX, KvStore, SWEEP_BATCH, keepValue } from '../src/store.js';

describe('keepValue: no copy for values that own their buffer, no pinning for small ones', () => {
  it('keeps a value that fills its buffer as the same view (no copy)', () => {
    const frame = Buffer.allocUnsafeSlow(1024 * 1024 + 40);
    const kept = keepValue(new RespRequest(frame, [30, 1024 * 1024]), 0) as Buffer;
    expect(kept.buffer).toBe(frame.buffer);
    expect(kept.byteOffset).toBe(30);
  });

  it('copies a small value out of a large chunk into the JS heap', () => {
    const chunk = Buffer.allocUnsafeSlow(64 * 1024).fill(7);
    const kept = keepValue(new RespRequest(chunk, [100, 16]), 0);
    expect(kept).toBeInstanceOf(BulkString);
    expect((kept as BulkString).toBuffer().equals(chunk.subarray(100, 116))).toBe(true);
  });

  it('copies a mid-size value out of a larger buffer into an exact-size Buffer', () => {
    const big = Buffer.allocUnsafeSlow(1024 * 1024).fill(1);
    const kept = keepValue(new RespRequest(big, [0, HEAP_COPY_MAX + 1]), 0) as Buffer;
    expect(Buffer.isBuffer(kept)).toBe(true);
    expect(kept.buffer.byteLength).toBeLessThan(HEAP_COPY_MAX * 2);
  });

  it('holds ~the bytes stored, not the chunks they came in (measured)', () => {
    const store = new KvStore();
    const before = process.memoryUsage().arrayBuffers;
    // 2,000 16-byte values, each in its own 64 KiB chunk: pinning would hold 125 MiB.
    for (let i = 0; i < 2000; i++) {
      const chunk = Buffer.allocUnsafeSlow(64 * 1024);
      store.set(`k${i}`, keepValue(new RespRequest(chunk, [0, 16]), 0));
    }
    (globalThis as { gc?: () => void }).gc?.();
    const held = process.memoryUsage().arrayBuffers - before;
    if ((globalThis as { gc?: () => void }).gc !== undefined) expect(held).toBeLessThan(8 * 1024 * 1024);
    expect(store.size).toBe(2000);
  });
});

describe('KvStore expiry', () => {
  it('deletes a key past its time when it is read (lazy)', () => {
    let now = 1000;
    const store = new KvStore(() => now);
    store.set('k', new BulkString('v'), 1500);
    expect(store.get('k')).toBeDefined();
    now = 1500;
    expect(store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.stats().expiredKeys).toBe(1);
  });

  it('sweeps at most SWEEP_BATCH keys per run and resumes where it stopped', () => {
    let now = 0;
    const store = new KvStore(() => now);
    for (let i = 0; i < SWEEP_BATCH * 3; i++) store.set(`k${i}`, new BulkString('v'), 10);
    store.set('forever', new BulkString('v'));
    now = 10;
    expect(store.sweep()).toBe(SWEEP_BATCH);
    expect(store.sweep()).toBe(SWEEP_BATCH);
    expect(store.sweep()).toBe(SWEEP_BATCH);
    expect(store.size).toBe(1);
    expect(store.sweep()).toBe(0);
  });

  it('SET without a TTL clears the old one; KEEPTTL keeps it', () => {
    const store = new KvStore(() => 0);
    store.set('k', new BulkString('v'), 100);
    store.set('k', new BulkString('w'), undefined, true);
    expect(store.expiry('k')).toBe(100);
    store.set('k', new BulkString('x'));
    expect(store.expiry('k')).toBeUndefined();
  });
});
