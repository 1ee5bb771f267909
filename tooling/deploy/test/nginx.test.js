// nginx `stream` with `proxy_protocol on` (v1) in front of two echo-server instances, loaded with
// the stress tool. Skips itself when nginx or its stream module (Debian: libnginx-mod-stream) is
// not installed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { nginxStreamConfig } from '../lib/configs.js';
import { freePort, killAll, metric, runStress, startEchoServer, startNginx, which } from '../lib/processes.js';

const MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
const skip =
  which('nginx') === undefined || !existsSync(MODULE)
    ? 'nginx with the stream module is not installed (apt-get install nginx libnginx-mod-stream): nginx tests skipped'
    : false;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'iocp-nginx-'));
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

describe('nginx stream (proxy_protocol on) in front of two echo-server instances', { skip }, () => {
  it('every echo verified through nginx; both instances serve the clients the v1 headers name', async () => {
    const [front, p1, p2] = [await freePort(), await freePort(), await freePort()];
    const instances = await Promise.all([startEchoServer(p1), startEchoServer(p2)]);
    const config = nginxStreamConfig({
      bind: `127.0.0.1:${front}`,
      servers: [
        { name: 'echo1', address: `127.0.0.1:${p1}` },
        { name: 'echo2', address: `127.0.0.1:${p2}` },
      ],
      prefix: dir,
      modulePath: MODULE,
    });
    await startNginx(config, dir, front);
    const { code, summary } = await runStress(['--target', `127.0.0.1:${front}`, '--connections', '6', '--depth', '4', '--duration', '1']);
    assert.equal(code, 0, JSON.stringify(summary.errors));
    assert.equal(summary.mismatches.count, 0);
    assert.ok(summary.messages.received > 100);
    let proxied = 0;
    for (const s of instances) {
      const n = await metric(s.metrics, 'iocp_connections_proxied_total');
      assert.ok(n >= 2, `instance served ${n} proxied connections`);
      assert.equal(await metric(s.metrics, 'iocp_connections_closed_total{reason="proxy-header"}'), 0);
      proxied += n;
    }
    // the stress connections plus the readiness probe
    assert.equal(proxied, 7);
  });
});
