// A real HAProxy (TCP mode, PROXY protocol v2 and v1, health checks) in front of echo-server
// instances on loopback, loaded with the stress tool; a rolling restart under load. Skips itself
// when haproxy is not installed (.ci/run installs it with apt-get when it can).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { haproxyConfig } from '../lib/configs.js';
import {
  freePort,
  haproxyServers,
  killAll,
  metric,
  runStress,
  startEchoServer,
  startHaproxy,
  waitUntil,
  which,
} from '../lib/processes.js';

const HAPROXY = which('haproxy');
const skip = HAPROXY === undefined ? 'haproxy is not installed (apt-get install haproxy): balancer tests skipped' : false;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'iocp-haproxy-'));
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

/** Two echo-server instances (each with `extra` flags) and HAProxy in front sending PROXY `version`. */
async function setup(version, extra = []) {
  const [front, p1, p2] = [await freePort(), await freePort(), await freePort()];
  const [a, b] = await Promise.all([startEchoServer(p1, extra), startEchoServer(p2, extra)]);
  const statsSocket = join(dir, `stats-${front}.sock`);
  const config = haproxyConfig({
    bind: `127.0.0.1:${front}`,
    servers: [
      { name: 'echo1', address: `127.0.0.1:${p1}` },
      { name: 'echo2', address: `127.0.0.1:${p2}` },
    ],
    proxyVersion: version,
    statsSocket,
  });
  const haproxy = await startHaproxy(config, dir, front);
  await waitUntil(async () => {
    const s = await haproxyServers(statsSocket, 'echo_servers');
    return s.echo1?.status === 'UP' && s.echo2?.status === 'UP';
  }, 'both servers UP in haproxy');
  return { front, ports: [p1, p2], instances: [a, b], haproxy, statsSocket };
}

const PROXIED = 'iocp_connections_proxied_total';
const REFUSED_HEADER = 'iocp_connections_closed_total{reason="proxy-header"}';

describe('HAProxy in front of two echo-server instances', { skip }, () => {
  it('send-proxy-v2: every echo verified through HAProxy, both instances (2 workers each) serve, health checks accepted', async () => {
    const { front, instances, statsSocket } = await setup(2, ['--workers', '2']);
    // (the readiness probe of the frontend made a proxied connection too: count from here)
    const before = await Promise.all(instances.map((s) => metric(s.metrics, PROXIED)));
    const { code, summary } = await runStress(['--target', `127.0.0.1:${front}`, '--connections', '8', '--depth', '4', '--duration', '1.5']);
    assert.equal(code, 0, JSON.stringify(summary.errors));
    assert.equal(summary.mismatches.count, 0);
    assert.equal(summary.errors.total, 0);
    assert.ok(summary.messages.received > 100, `${summary.messages.received} echoes`);
    for (const [i, s] of instances.entries()) {
      // round robin: four stress connections per instance, each named by its PROXY header
      assert.equal((await metric(s.metrics, PROXIED)) - before[i], 4);
      assert.equal(await metric(s.metrics, REFUSED_HEADER), 0);
    }
    // Health checks (a v2 LOCAL header every 200 ms, fall 1): every one passed. (With --workers a
    // check HAProxy resets at once may be gone before a worker sees it, so the instances' own
    // LOCAL count is asserted in the single-process tests below.)
    const servers = await haproxyServers(statsSocket, 'echo_servers');
    for (const name of ['echo1', 'echo2']) {
      assert.equal(servers[name].status, 'UP');
      assert.equal(servers[name].check_status, 'L4OK');
      assert.equal(servers[name].chkfail, '0');
    }
  });

  it('send-proxy (v1): every echo verified, both instances serve, v1 health-check lines accepted', async () => {
    const { front, instances, statsSocket } = await setup(1);
    const { code, summary } = await runStress(['--target', `127.0.0.1:${front}`, '--connections', '4', '--depth', '4', '--duration', '1']);
    assert.equal(code, 0, JSON.stringify(summary.errors));
    assert.equal(summary.mismatches.count, 0);
    for (const s of instances) {
      // stress connections plus HAProxy's checks (a v1 check is a PROXY line with the check's addresses)
      assert.ok((await metric(s.metrics, PROXIED)) >= 2);
      assert.equal(await metric(s.metrics, REFUSED_HEADER), 0);
    }
    const servers = await haproxyServers(statsSocket, 'echo_servers');
    for (const name of ['echo1', 'echo2']) assert.equal(servers[name].chkfail, '0');
  });

  it('per-IP caps apply to the stress tool source address, not to HAProxy: 127.0.0.2 capped, 127.0.0.3 served', async () => {
    // 2 connections per client address per instance; round robin gives each instance half.
    const { front, instances } = await setup(2, ['--max-conn-per-ip', '2']);
    const target = ['--target', `127.0.0.1:${front}`];
    // Hold 4 idle connections from 127.0.0.2: two on each instance, the cap of both.
    const holding = runStress([...target, '--source', '127.0.0.2', '--connections', '4', '--depth', '0', '--duration', '4']);
    await waitUntil(async () => (await metric(instances[0].metrics, 'iocp_connections')) + (await metric(instances[1].metrics, 'iocp_connections')) === 4, '4 held connections');
    const over = await runStress([...target, '--source', '127.0.0.2', '--connections', '2', '--depth', '1', '--duration', '0.5', '--max-errors', '10']);
    const other = await runStress([...target, '--source', '127.0.0.3', '--connections', '4', '--depth', '2', '--duration', '0.5']);
    assert.equal(other.code, 0, JSON.stringify(other.summary.errors));
    assert.equal(other.summary.errors.total, 0);
    assert.equal(over.summary.messages.received, 0, 'no echo for connections over the cap');
    assert.equal(over.summary.errors.total, 2);
    let refused = 0;
    for (const s of instances) refused += await metric(s.metrics, 'iocp_connections_refused_total{reason="per-ip"}');
    assert.equal(refused, 2);
    const held = await holding;
    assert.equal(held.summary.errors.total, 0);
  });

  it('rolling restart under load (--depth 1 --reconnect): no mismatch, no unanswered request, only closes the tool reconnected after', async () => {
    const { front, ports, instances, statsSocket } = await setup(2);
    const load = runStress([
      '--target', `127.0.0.1:${front}`, '--connections', '6', '--depth', '1', '--duration', '8', '--reconnect', '--max-errors', '1000',
    ]);
    const up = async (name) => (await haproxyServers(statsSocket, 'echo_servers'))[name]?.status === 'UP';
    for (let i = 0; i < 2; i++) {
      // let load reach this instance, then drain it (SIGTERM) and start it again on its port
      await waitUntil(async () => (await metric(instances[i].metrics, 'iocp_received_messages_total')) > 200, `load on instance ${i + 1}`);
      assert.equal(await instances[i].stop(), 0, 'SIGTERM drains and exits 0');
      instances[i] = await startEchoServer(ports[i]);
      await waitUntil(() => up(`echo${i + 1}`), `echo${i + 1} UP again`);
    }
    const { code, summary } = await load;
    const detail = JSON.stringify({ connections: summary.connections, messages: summary.messages, errors: summary.errors });
    assert.equal(summary.mismatches.count, 0, detail);
    assert.equal(summary.messages.unanswered, 0);
    assert.ok(summary.connections.reconnects > 0, `connections were closed by the restarts: ${detail}`);
    assert.equal(summary.connections.reconnects, summary.errors.total, 'every error was a close the tool reconnected after');
    for (const codeName of Object.keys(summary.errors.byCode)) assert.match(codeName, /^(IOCP_ERR_PEER_CLOSED|ECONNRESET|EPIPE)$/);
    assert.equal(code, 0);
    // the connections moved off instance 2 when it restarted went to the restarted instance 1
    // (the restarted instance 2 was waited for above: UP in HAProxy, its health checks pass)
    assert.ok((await metric(instances[0].metrics, PROXIED)) > 0, 'restarted instance 1 serves');
  });
});
