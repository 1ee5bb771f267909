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

  it('holds ~the bytes stored, not the chunks they came in (measured against keeping the views)', async () => {
    // vitest.config.ts runs the tests with --expose-gc.
    const gc = (globalThis as { gc?: () => void }).gc as () => void;
    expect(gc).toBeTypeOf('function');
    const settle = async (): Promise<number> => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().arrayBuffers;
    };
    // 1,000 16-byte values, each arriving in its own 64 KiB chunk (62.5 MiB of chunks).
    const fill = (keep: (chunk: Buffer) => Parameters<KvStore['set']>[1]): KvStore => {
      const store = new KvStore();
      for (let i = 0; i < 1000; i++) store.set(`k${i}`, keep(Buffer.allocUnsafeSlow(64 * 1024)));
      return store;
    };
    const before = await settle();
    const pinning = fill((chunk) => chunk.subarray(0, 16));
    const pinned = (await settle()) - before;
    pinning.clear();
    const base = await settle();
    const copying = fill((chunk) => keepValue(new RespRequest(chunk, [0, 16]), 0));
    const held = (await settle()) - base;
    expect(copying.size).toBe(1000);
    expect(pinned).toBeGreaterThan(50 * 1024 * 1024);
    expect(held).toBeLessThan(pinned / 10);
    console.info(`1,000 16-byte values from 64 KiB chunks: views hold ${(pinned / 2 ** 20).toFixed(1)} MiB of buffers, keepValue ${(held / 2 ** 20).toFixed(2)} MiB`);
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
