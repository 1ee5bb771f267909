import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { killStarted, waitUntil } from '@iocp/cli-support/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERT, KEY, type Started, cli, has, redisCli, startKv } from './support.js';

const haveCli = has('redis-cli');
if (!haveCli) console.warn('redis-cli not found (Debian: apt-get install redis-tools): the redis-cli tests are skipped');
const haveBenchmark = has('redis-benchmark');
if (!haveBenchmark) console.warn('redis-benchmark not found (Debian: apt-get install redis-tools): the redis-benchmark test is skipped');

/**
 * Each command as `redis-cli --no-raw` prints its reply — recorded from a real redis-server 7.0
 * with the same commands in the same order (kv-server differs only where it says so: one
 * database, its own command table).
 */
const TRANSCRIPT: [string, string][] = [
  ['ping', 'PONG'],
  ['ping hi', '"hi"'],
  ['echo hello', '"hello"'],
  ['select 0', 'OK'],
  ['select 1', '(error) ERR DB index is out of range'], // redis-server has 16 databases: OK
  ['hello 2', ' 1) "server"\n 2) "redis"\n 3) "version"\n 4) "7.0.0"\n 5) "proto"\n 6) (integer) 2\n 7) "id"\n 8) (integer) ID\n 9) "mode"\n10) "standalone"\n11) "role"\n12) "master"\n13) "modules"\n14) (empty array)'],
  ['hello 4', '(error) NOPROTO unsupported protocol version'],
  ['set k v', 'OK'],
  ['get k', '"v"'],
  ['get nokey', '(nil)'],
  ['set k v nx', '(nil)'],
  ['set k2 v xx', '(nil)'],
  ['set k v ex 0', "(error) ERR invalid expire time in 'set' command"],
  ['set k v ex x', '(error) ERR value is not an integer or out of range'],
  ['set k v nx xx', '(error) ERR syntax error'],
  ['set k v px 100000', 'OK'],
  ['ttl k', '(integer) 100'],
  ['ttl nokey', '(integer) -2'],
  ['set n 10', 'OK'],
  ['ttl n', '(integer) -1'],
  ['incr n', '(integer) 11'],
  ['decr n', '(integer) 10'],
  ['incrby n 5', '(integer) 15'],
  ['incrby n -20', '(integer) -5'],
  ['incr k', '(error) ERR value is not an integer or out of range'],
  ['incrby n x', '(error) ERR value is not an integer or out of range'],
  ['incr fresh', '(integer) 1'],
  ['mset a 1 b 2', 'OK'],
  ['mset a', "(error) ERR wrong number of arguments for 'mset' command"],
  ['mset a 1 b', "(error) ERR wrong number of arguments for 'mset' command"],
  ['mget a b nokey', '1) "1"\n2) "2"\n3) (nil)'],
  ['exists a b nokey a', '(integer) 3'],
  ['del a b nokey', '(integer) 2'],
  ['expire k 100', '(integer) 1'],
  ['expire nokey 100', '(integer) 0'],
  ['expire k 50 gt', '(integer) 0'],
  ['expire k 50 lt', '(integer) 1'],
  ['ttl k', '(integer) 50'],
  ['dbsize', '(integer) 3'],
  ['set n 9223372036854775807', 'OK'],
  ['incr n', '(error) ERR increment or decrement would overflow'],
  ['flushall', 'OK'],
  ['dbsize', '(integer) 0'],
  ['get', "(error) ERR wrong number of arguments for 'get' command"],
  ['foo bar', "(error) ERR unknown command 'foo', with args beginning with: 'bar' "],
  ['command docs', '(empty array)'],
  ['command info get', '1)  1) "get"\n    2) (integer) 2\n    3) 1) readonly\n       2) fast\n    4) (integer) 1\n    5) (integer) 1\n    6) (integer) 1\n    7) (empty array)\n    8) (empty array)\n    9) (empty array)\n   10) (empty array)'],
  ['config get save', '1) "save"\n2) ""'],
  ['config get appendonly', '1) "appendonly"\n2) "no"'],
  ['quit', 'OK'],
];

describe.skipIf(!haveCli)('kv-server through redis-cli', () => {
  let kv: Started;
  beforeAll(async () => {
    kv = await startKv();
  });
  afterAll(killStarted);

  it('prints each supported command the way redis-cli prints redis-server', async () => {
    for (const [command, expected] of TRANSCRIPT) {
      const out = (await cli(kv.port, '--no-raw', ...command.split(' '))).replace(/\n$/, '');
      expect(out.replace(/\(integer\) \d{6,}/, '(integer) ID'), command).toBe(expected);
    }
    // RESP3 after HELLO 3: redis-cli -3 prints the map as a map.
    const hello3 = (await cli(kv.port, '-3', '--no-raw', 'hello', '3')).trimEnd();
    expect(hello3).toMatch(/^1# "server" => "redis"\n2# "version" => "7.0.0"\n3# "proto" => \(integer\) 3\n/);
    const info = await cli(kv.port, 'info');
    for (const field of ['redis_version:7.0.0', 'connected_clients:', 'total_commands_processed:', 'keyspace_hits:', 'loading:0']) expect(info).toContain(field);
  });

  it('answers pipelined commands in order (commands on stdin, and --pipe with raw RESP)', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `set p${i} v${i}` : `get p${i - 1}`)).join('\n');
    const out = (await redisCli(kv.port, [], `${lines}\n`)).stdout.toString().trimEnd().split('\n');
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 'OK' : `v${i - 1}`)));
    const raw = Array.from({ length: 5000 }, (_, i) => `*3\r\n$3\r\nSET\r\n$${`q${i}`.length}\r\nq${i}\r\n$1\r\nx\r\n`).join('');
    const piped = await redisCli(kv.port, ['--pipe'], raw);
    expect(piped.stdout.toString()).toContain('errors: 0, replies: 5000');
    expect(await cli(kv.port, 'exists', 'q0', 'q4999')).toBe('2\n');
  });

  it('stores binary values byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect((await redisCli(kv.port, ['-x', 'set', 'bin'], bytes)).stdout.toString()).toBe('OK\n');
    const got = (await redisCli(kv.port, ['--raw', 'get', 'bin'])).stdout;
    expect(got.subarray(0, -1).equals(bytes)).toBe(true);
  });

  it('stores and returns a 64 MiB value', async () => {
    const big = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    expect((await redisCli(kv.port, ['-x', 'set', 'big'], big)).stdout.toString()).toBe('OK\n');
    const got = (await redisCli(kv.port, ['--raw', 'get', 'big'])).stdout;
    expect(got.length).toBe(big.length + 1);
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(digest(got.subarray(0, -1))).toBe(digest(big));
    expect(await cli(kv.port, 'del', 'big')).toBe('1\n');
  });

  it('answers a malformed request with a protocol error, then closes only that connection', async () => {
    const socket = connect(kv.port, '127.0.0.1');
    await once(socket, 'connect');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.write('PING\r\n*1\r\n$x\r\nPING\r\n');
    await once(socket, 'close');
    expect(Buffer.concat(chunks).toString()).toBe('+PONG\r\n-ERR Protocol error: invalid bulk length\r\n');
    expect(await cli(kv.port, 'ping')).toBe('PONG\n');
  });

  it('expires keys on access and, untouched, through the periodic sweep', async () => {
    expect(await cli(kv.port, 'flushall')).toBe('OK\n');
    expect(await cli(kv.port, 'mset', 'e1', 'x', 'e2', 'y')).toBe('OK\n');
    expect(await cli(kv.port, 'expire', 'e1', '1')).toBe('1\n');
    expect(await cli(kv.port, 'set', 'e3', 'z', 'px', '1')).toBe('OK\n');
    // e1 and e3 are never read again: DBSIZE (which counts keys not yet removed) falls to 1 by the sweep alone.
    await waitUntil(async () => (await cli(kv.port, 'dbsize')) === '1\n', 20_000, 50);
    expect(await cli(kv.port, 'get', 'e2')).toBe('y\n');
  });

  it('serves redis-cli --tls with --tls-cert/--tls-key', async () => {
    const tls = await startKv(['--tls-cert', CERT, '--tls-key', KEY]);
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) => {
      execFile('redis-cli', ['--tls', '--cacert', CERT, '-h', 'localhost', '-p', String(tls.port), 'ping'], { timeout: 30_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}: ${stderr}`));
        else resolve(stdout);
      });
    });
    expect(out).toBe('PONG\n');
  });

  it.skipIf(!haveBenchmark)('runs redis-benchmark (correctness-only run)', async () => {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) => {
      execFile('redis-benchmark', ['-h', '127.0.0.1', '-p', String(kv.port), '-n', '2000', '-c', '10', '-P', '4', '-q', '-t', 'ping,set,get,incr,mset'], { timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}: ${stderr}`));
        else resolve(`${stdout}${stderr}`);
      });
    });
    for (const test of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'MSET (10 keys)']) expect(out).toMatch(new RegExp(`${test.replace(/[()]/g, '\\$&')}: [\\d.]+ requests per second`));
    expect(out).not.toContain('WARNING');
    expect(out).not.toMatch(/error/i);
    expect(Number(await cli(kv.port, 'get', 'counter:__rand_int__'))).toBeGreaterThan(0);
  });
});
