// A real HAProxy (TCP mode, send-proxy-v2, health checks) in front of one kv-server; redis-cli
// talks to it through the balancer. Skips itself when haproxy or redis-cli is not installed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import { haproxyConfig } from '../lib/configs.js';
import { freePort, haproxyServers, killAll, metric, startHaproxy, startKvServer, waitUntil, which } from '../lib/processes.js';

const missing = ['haproxy', 'redis-cli'].filter((tool) => which(tool) === undefined);
const skip = missing.length > 0 ? `${missing.join(' and ')} not installed (apt-get install haproxy redis-tools): kv-server balancer test skipped` : false;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'iocp-haproxy-kv-'));
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

const run = promisify(execFile);
/** One redis-cli command against `port`; its stdout without the trailing newline. */
async function redisCli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 });
  return stdout.replace(/\n$/, '');
}

describe('HAProxy (send-proxy-v2) in front of kv-server', { skip }, () => {
  it('redis-cli through the balancer: PONG, SET/GET/INCR answered; each connection proxied, health checks pass', async () => {
    const [front, backend] = [await freePort(), await freePort()];
    const kv = await startKvServer(backend);
    const statsSocket = join(dir, `stats-${front}.sock`);
    const config = haproxyConfig({ name: 'kv', bind: `127.0.0.1:${front}`, servers: [{ name: 'kv1', address: `127.0.0.1:${backend}` }], proxyVersion: 2, statsSocket });
    await startHaproxy(config, dir, front);
    await waitUntil(async () => (await haproxyServers(statsSocket, 'kv_servers')).kv1?.status === 'UP', 'kv1 UP in haproxy');
    const before = await metric(kv.metrics, 'iocp_kv_connections_proxied_total');

    assert.equal(await redisCli(front, 'PING'), 'PONG');
    assert.equal(await redisCli(front, 'SET', 'through', 'haproxy'), 'OK');
    assert.equal(await redisCli(front, 'GET', 'through'), 'haproxy');
    assert.equal(await redisCli(front, 'INCR', 'n'), '1');
    assert.equal(await redisCli(front, 'MGET', 'through', 'nokey'), 'haproxy\n');

    assert.equal((await metric(kv.metrics, 'iocp_kv_connections_proxied_total')) - before, 5, 'each redis-cli connection named by its PROXY header');
    assert.equal(await metric(kv.metrics, 'iocp_kv_closed_connections_total{reason="proxy-header"}'), 0);
    const server = (await haproxyServers(statsSocket, 'kv_servers')).kv1;
    assert.equal(server.status, 'UP');
    assert.equal(server.chkfail, '0');
  });
});
