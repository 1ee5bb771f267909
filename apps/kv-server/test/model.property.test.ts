import fc from 'fast-check';
import { killStarted } from '@iocp/cli-support/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, startKv } from './support.js';

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);
const WRONG_INT = 'ERR value is not an integer or out of range';

/** A plain in-memory model of the commands, written from Redis' documentation, sharing no code with kv-server. */
class Model {
  readonly values = new Map<string, string>();
  readonly ttl = new Map<string, number>();

  exec(cmd: string[]): unknown {
    const [name, ...a] = cmd as [string, ...string[]];
    switch (name) {
      case 'SET': {
        const [k, v, opt] = a as [string, string, string | undefined];
        if (opt === 'NX' && this.values.has(k)) return null;
        if (opt === 'XX' && !this.values.has(k)) return null;
        this.values.set(k, v);
        this.ttl.delete(k);
        return 'OK';
      }
      case 'GET':
        return this.values.get(a[0] as string) ?? null;
      case 'DEL':
        return a.filter((k) => {
          this.ttl.delete(k);
          return this.values.delete(k);
        }).length;
      case 'EXISTS':
        return a.filter((k) => this.values.has(k)).length;
      case 'INCR':
        return this.incr(a[0] as string, 1n);
      case 'DECR':
        return this.incr(a[0] as string, -1n);
      case 'INCRBY': {
        const by = this.int(a[1] as string);
        return by === undefined ? new Error(WRONG_INT) : this.incr(a[0] as string, by);
      }
      case 'MGET':
        return a.map((k) => this.values.get(k) ?? null);
      case 'MSET':
        for (let i = 0; i < a.length; i += 2) {
          this.values.set(a[i] as string, a[i + 1] as string);
          this.ttl.delete(a[i] as string);
        }
        return 'OK';
      case 'EXPIRE': {
        const k = a[0] as string;
        if (!this.values.has(k)) return 0;
        this.ttl.set(k, Number(a[1]));
        return 1;
      }
      case 'TTL': {
        const k = a[0] as string;
        if (!this.values.has(k)) return -2;
        return this.ttl.get(k) ?? -1;
      }
      case 'DBSIZE':
        return this.values.size;
      case 'FLUSHALL':
        this.values.clear();
        this.ttl.clear();
        return 'OK';
      default:
        throw new Error(`model has no ${name}`);
    }
  }

  int(s: string): bigint | undefined {
    if (!/^-?(0|[1-9]\d{0,19})$/.test(s) || s === '-0') return undefined;
    const n = BigInt(s);
    return n < I64_MIN || n > I64_MAX ? undefined : n;
  }

  incr(k: string, by: bigint): unknown {
    const cur = this.values.has(k) ? this.int(this.values.get(k) as string) : 0n;
    if (cur === undefined) return new Error(WRONG_INT);
    const next = cur + by;
    if (next < I64_MIN || next > I64_MAX) return new Error('ERR increment or decrement would overflow');
    this.values.set(k, String(next));
    return next;
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd');
const value = fc.constantFrom('1', '-5', '0', 'x', '', 'héllo', '9223372036854775806', '-9223372036854775808', '007');
const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, value, fc.constantFrom('NX', 'XX')).map(([k, v, o]) => ['SET', k, v, o]),
  key.map((k) => ['GET', k]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['EXISTS', ...ks]),
  key.map((k) => ['INCR', k]),
  key.map((k) => ['DECR', k]),
  fc.tuple(key, fc.constantFrom('5', '-3', 'x', '9223372036854775807', '-9223372036854775808')).map(([k, n]) => ['INCRBY', k, n]),
  fc.array(key, { minLength: 1, maxLength: 4 }).map((ks) => ['MGET', ...ks]),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((kvs) => ['MSET', ...kvs.flat()]),
  fc.tuple(key, fc.constantFrom('100', '5000')).map(([k, s]) => ['EXPIRE', k, s]),
  key.map((k) => ['TTL', k]),
  fc.constant(['DBSIZE'] as string[]),
  fc.constant(['FLUSHALL'] as string[]),
);

describe('kv-server against a plain in-memory model', () => {
  let kv: Started;
  let redis: Redis;
  beforeAll(async () => {
    kv = await startKv();
    // stringNumbers: integer replies as exact strings (int64 does not fit a JS number).
    redis = new Redis({ host: '127.0.0.1', port: kv.port, lazyConnect: true, stringNumbers: true });
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    await killStarted();
  });

  it('random command sequences give the same replies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        const model = new Model();
        const pipe = redis.pipeline().flushall();
        for (const c of commands) pipe.call(...(c as [string, ...string[]]));
        const results = (await pipe.exec()) ?? [];
        results.slice(1).forEach(([error, reply], i) => {
          const cmd = commands[i] as string[];
          const modelled = model.exec(cmd);
          const expected = typeof modelled === 'number' || typeof modelled === 'bigint' ? String(modelled) : modelled;
          const got = error ?? reply;
          if (expected instanceof Error) expect((got as Error).message, cmd.join(' ')).toBe(expected.message);
          // TTL counts down in real time: a key given 100 s may already show 99.
          else if (cmd[0] === 'TTL' && Number(expected) > 0) expect(Number(expected) - Number(got), cmd.join(' ')).toBeLessThanOrEqual(1);
          else expect(got, cmd.join(' ')).toEqual(expected);
        });
      }),
      { numRuns: 150 },
    );
  });
});
