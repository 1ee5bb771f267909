import { once } from 'node:events';
import { connect } from 'node:net';
import { killStarted, runNode } from '@iocp/cli-support/test-support';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { KV_SERVER, startKv } from './support.js';

afterEach(killStarted);

describe('kv-server as a process', () => {
  it('prints one listening line per --listen in flag order, then the metrics line; serves /metrics', async () => {
    const kv = await startKv(['--listen', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--max-buffered', '48m'], 2);
    expect(kv.lines).toHaveLength(2);
    const [, second] = kv.lines.map((l) => Number(/:(\d+)$/.exec(l)?.[1]));
    const r = new Redis({ host: '127.0.0.1', port: second as number, lazyConnect: true });
    await r.connect();
    await r.set('m', '1');
    await r.get('m');
    r.disconnect();
    const metricsLine = kv.server.stdout().split('\n').find((l) => l.startsWith('metrics '));
    expect(metricsLine).toBeDefined();
    const text = await (await fetch(`http://${metricsLine?.slice('metrics '.length)}/metrics`)).text();
    expect(text).toMatch(/^iocp_kv_keys 1$/m);
    expect(text).toMatch(/^iocp_kv_keyspace_hits_total 1$/m);
    expect(text).toMatch(/^iocp_kv_commands_total [1-9]\d*$/m);
    // process health and the memory budget (--max-buffered)
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^nodejs_active_handles_total \d/m);
    expect(text).toMatch(new RegExp(`^iocp_memory_budget_bytes ${48 * 1024 * 1024}$`, 'm'));
    expect(text).toMatch(/^iocp_memory_sheds_total 0$/m);
  });

  it('refuses --workers above 1 with one line and exit 2 (one process, one key space)', async () => {
    const r = await runNode(KV_SERVER, ['--workers', '2', '--listen', '127.0.0.1:0'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kv-server: IOCP_ERR_USAGE: --workers above 1 is refused: each worker process would hold its own key space/m);
    expect(r.stdout).toBe('');
  });

  it('refuses unknown flags, a bad --max-buffered and half a TLS pair with exit 2', async () => {
    expect((await runNode(KV_SERVER, ['--nope'], { timeoutMs: 30_000 })).code).toBe(2);
    const budget = await runNode(KV_SERVER, ['--max-buffered', '1k'], { timeoutMs: 30_000 });
    expect(budget.code).toBe(2);
    expect(budget.stderr).toMatch(/^kv-server: IOCP_ERR_USAGE: .*--max-buffered.*\n$/);
    const tls = await runNode(KV_SERVER, ['--tls-cert', 'x.pem'], { timeoutMs: 30_000 });
    expect(tls.code).toBe(2);
    expect(tls.stderr).toContain('--tls-cert and --tls-key go together');
  });

  it('exits 1 with IOCP_ERR_LISTEN when the address is taken', async () => {
    const kv = await startKv();
    const r = await runNode(KV_SERVER, ['--listen', `127.0.0.1:${kv.port}`], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('IOCP_ERR_LISTEN');
  });

  it('on SIGTERM lets a queued reply drain, then exits 0', async () => {
    const kv = await startKv();
    const r = new Redis({ host: '127.0.0.1', port: kv.port, lazyConnect: true });
    await r.connect();
    const big = Buffer.alloc(16 * 1024 * 1024, 'x');
    await r.set('big', big);
    r.disconnect();
    // A 16 MiB reply is queued once its first bytes arrive; SIGTERM must not cut it short.
    const socket = connect(kv.port, '127.0.0.1');
    let received = 0;
    let signalled = false;
    socket.on('data', (d: Buffer) => {
      received += d.length;
      if (!signalled) {
        signalled = true;
        kv.server.proc.kill('SIGTERM');
      }
    });
    socket.write('GET big\r\n');
    await once(socket, 'close');
    expect(received).toBe(big.length + `$${big.length}\r\n`.length + 2);
    expect((await kv.server.done).code).toBe(0);
  });
});
