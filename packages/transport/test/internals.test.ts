import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/internal/backoff.js';
import { normalizeAddress } from '../src/internal/classify.js';
import { resolveConnectOptions, resolvePortOptions } from '../src/internal/options.js';
import { OutPool, SLAB_SIZE } from '../src/internal/out-pool.js';
import { TokenBucket } from '../src/internal/token-bucket.js';
import { lengthPrefixed } from '@iocp/framing';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 10, () => now);
    let taken = 0;
    while (b.take()) taken++;
    expect(taken).toBe(10);
    now += 100; // 1 token
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    now += 10_000; // refill is capped at the burst
    taken = 0;
    while (b.take()) taken++;
    expect(taken).toBe(10);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and keeps at least half the delay (equal jitter)', () => {
    expect(backoffDelay(0, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(800);
    expect(backoffDelay(4, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(60, 100, 1000, () => 0.5)).toBe(750);
  });
});

describe('OutPool', () => {
  it('gives the newest holder the rest of the slab and takes back the unused tail', () => {
    const pool = new OutPool();
    const a = { regionPos: 0, regionEnd: 0 };
    const b = { regionPos: 0, regionEnd: 0 };
    const slab = pool.take(a, 10);
    expect(a.regionPos).toBe(0);
    expect(a.regionEnd).toBe(SLAB_SIZE);
    a.regionPos = 10; // a wrote 10 bytes
    const slab2 = pool.take(b, 20);
    expect(slab2).toBe(slab);
    expect(a.regionEnd).toBe(10); // trimmed
    expect(b.regionPos).toBe(10);
    b.regionPos = SLAB_SIZE - 5;
    pool.trim(b);
    const c = { regionPos: 0, regionEnd: 0 };
    const slab3 = pool.take(c, 100); // does not fit: new slab
    expect(slab3).not.toBe(slab);
    expect(c.regionPos).toBe(0);
  });
});

describe('OutPool recycling', () => {
  it('reuses the slab from the start when no asynchronous write pins it', () => {
    const pool = new OutPool();
    const a = { regionPos: 0, regionEnd: 0 };
    const slab = pool.take(a, 100);
    a.regionPos = 100;
    pool.trim(a);
    pool.recycle();
    const b = { regionPos: 0, regionEnd: 0 };
    expect(pool.take(b, 10)).toBe(slab);
    expect(b.regionPos).toBe(0);
  });

  it('never rewinds a slab that an asynchronous write still reads', () => {
    const pool = new OutPool();
    const a = { regionPos: 0, regionEnd: 0 };
    pool.take(a, 100);
    a.regionPos = 100;
    pool.trim(a);
    const pinned = pool.pin();
    pool.recycle();
    const b = { regionPos: 0, regionEnd: 0 };
    pool.take(b, 10);
    expect(b.regionPos).toBe(100); // after the pinned bytes
    b.regionPos = 110;
    pool.trim(b);
    pool.release(pinned);
    pool.recycle();
    const c = { regionPos: 0, regionEnd: 0 };
    pool.take(c, 10);
    expect(c.regionPos).toBe(0);
  });
});

describe('options', () => {
  it('fills defaults', () => {
    const o = resolvePortOptions(undefined);
    expect(o).toMatchObject({
      maxConnections: Number.POSITIVE_INFINITY,
      highWaterMark: 65536,
      lowWaterMark: 16384,
      maxBytes: 4 * 1024 * 1024,
      firstDataMs: 0,
      idleMs: 0,
      writeStallMs: 0,
      heartbeatIntervalMs: 0,
    });
    expect(resolvePortOptions({ timeouts: { writeStallMs: 30_000 } }).writeStallMs).toBe(30_000);
    expect(resolveConnectOptions({ host: 'h', port: 1, codec: lengthPrefixed() })).toEqual({ connectTimeoutMs: 10_000, reconnect: false });
  });

  it.each([
    [{ limits: { maxConnections: -1 } }],
    [{ limits: { maxConnectionsPerSecond: 0 } }],
    [{ limits: { deny: ['127.0.0.1'] } }],
    [{ timeouts: { heartbeat: { intervalMs: 100 } } }],
    [{ timeouts: { firstDataMs: 1.5 } }],
    [{ timeouts: { writeStallMs: -1 } }],
    [{ timeouts: { writeStallMs: 2.5 } }],
    [{ timeouts: { writeTimeoutMs: 100 } }],
    [{ sendQueue: { maxBytes: 0 } }],
    [{ copyThreshold: Number.NaN }],
    [{ timeout: { idleMs: 5 } }],
    [{ limits: { maxConnection: 5 } }],
    [{ timeouts: { heartbeat: { intervalMs: 10, maxMissed: 1, extra: 1 } } }],
  ])('rejects %j with IOCP_ERR_INVALID_OPTION', (bad) => {
    expect(() => resolvePortOptions(bad as never)).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
  });

  it('accepts BlockLists', () => {
    const deny = new BlockList();
    expect(resolvePortOptions({ limits: { deny } }).deny).toBe(deny);
  });

  it('rejects bad connect options', () => {
    const codec = lengthPrefixed();
    for (const bad of [
      { host: '', port: 1, codec },
      { host: 'h', port: 70000, codec },
      { host: 'h', port: 1, codec: {} },
      { host: 'h', port: 1, codec, reconnect: { initialDelayMs: 100, maxDelayMs: 10 } },
      { host: 'h', port: 1, codec, connectTimeout: 5 },
    ]) {
      expect(() => resolveConnectOptions(bad as never)).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
    }
  });
});

describe('normalizeAddress', () => {
  it('maps IPv4-mapped IPv6 to IPv4', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toEqual({ address: '10.0.0.1', family: 'ipv4' });
    expect(normalizeAddress('::1')).toEqual({ address: '::1', family: 'ipv6' });
    expect(normalizeAddress('127.0.0.1')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
  });
});
