import { killStarted, waitUntil } from '@iocp/cli-support/test-support';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CERT, type Started, startKv } from './support.js';

/** The client most Node users would point at kv-server. */
function client(port: number, extra: Record<string, unknown> = {}): Redis {
  return new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 2, ...extra });
}

describe('kv-server through ioredis', () => {
  let kv: Started;
  const clients: Redis[] = [];
  const open = async (extra: Record<string, unknown> = {}, port = kv.port): Promise<Redis> => {
    const c = client(port, extra);
    clients.push(c);
    await c.connect();
    return c;
  };
  beforeAll(async () => {
    kv = await startKv();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(killStarted);

  it('runs every supported command', async () => {
    const r = await open();
    expect(await r.ping()).toBe('PONG');
    expect(await r.echo('hi')).toBe('hi');
    expect(await r.select(0)).toBe('OK');
    expect(await r.set('k', 'v')).toBe('OK');
    expect(await r.get('k')).toBe('v');
    expect(await r.set('k', 'w', 'NX')).toBeNull();
    expect(await r.set('k', 'w', 'XX')).toBe('OK');
    expect(await r.set('t', 'x', 'EX', 100)).toBe('OK');
    expect(await r.ttl('t')).toBe(100);
    expect(await r.set('p', 'x', 'PX', 100_000)).toBe('OK');
    expect(await r.expire('k', 10)).toBe(1);
    expect(await r.ttl('k')).toBe(10);
    expect(await r.incr('n')).toBe(1);
    expect(await r.incrby('n', 41)).toBe(42);
    expect(await r.decr('n')).toBe(41);
    expect(await r.mset('a', '1', 'b', '2')).toBe('OK');
    expect(await r.mget('a', 'b', 'none')).toEqual(['1', '2', null]);
    expect(await r.exists('a', 'b', 'none')).toBe(2);
    expect(await r.del('a', 'none')).toBe(1);
    expect(await r.dbsize()).toBe(5);
    expect(await r.info('keyspace')).toContain('db0:keys=5');
    await expect(r.incr('k')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.call('nope')).rejects.toThrow("ERR unknown command 'nope'");
    expect(await r.flushall()).toBe('OK');
    expect(await r.dbsize()).toBe(0);
    const bytes = Buffer.from([0, 255, 13, 10, 42]);
    await r.set('bin', bytes);
    expect((await r.getBuffer('bin'))?.equals(bytes)).toBe(true);
    expect(await r.quit()).toBe('OK');
  });

  it('speaks RESP3 after HELLO 3', async () => {
    const r = await open();
    const reply = (await r.call('HELLO', '3')) as unknown;
    // ioredis reads RESP2 only; the RESP3 map arrives as its flat key/value array.
    expect(reply).toEqual(expect.arrayContaining(['proto', 3, 'server', 'redis']));
  });

  it('pipelines and auto-pipelines', async () => {
    const r = await open();
    const pipe = r.pipeline();
    for (let i = 0; i < 500; i++) pipe.set(`pk${i}`, `v${i}`).get(`pk${i}`);
    const results = await pipe.exec();
    expect(results).toHaveLength(1000);
    for (let i = 0; i < 500; i++) expect(results?.[2 * i + 1]).toEqual([null, `v${i}`]);
    const auto = await open({ enableAutoPipelining: true });
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? auto.incr('auto') : auto.get('auto'))));
    for (let i = 0; i < 1000; i += 2) expect(replies[i]).toBe(i / 2 + 1);
    for (let i = 1; i < 1000; i += 2) expect(replies[i]).toBe(String((i + 1) / 2));
    expect(auto.autoPipelineQueueSize).toBe(0);
  });

  it('reconnects after a kv-server restart on the same port', async () => {
    const first = await startKv();
    const r = await open({ retryStrategy: () => 50 }, first.port);
    r.on('error', () => {}); // the refused reconnects while no server listens
    expect(await r.set('x', '1')).toBe('OK');
    first.server.proc.kill('SIGTERM');
    expect((await first.server.done).code).toBe(0);
    const second = await startKv(['--listen', `127.0.0.1:${first.port}`]);
    expect(second.port).toBe(first.port);
    await waitUntil(() => r.status === 'ready', 20_000, 20);
    // A fresh process, a fresh key space.
    expect(await r.get('x')).toBeNull();
    expect(await r.set('x', '2')).toBe('OK');
    expect(await r.get('x')).toBe('2');
  });

  it('serves TLS with --tls-cert/--tls-key', async () => {
    const tls = await startKv(['--tls-cert', CERT, '--tls-key', CERT.replace('cert.pem', 'key.pem')]);
    const r = await open({ tls: { ca: readFileSync(CERT), servername: 'localhost' } }, tls.port);
    expect(await r.set('secure', 'yes')).toBe('OK');
    expect(await r.get('secure')).toBe('yes');
  });
});
