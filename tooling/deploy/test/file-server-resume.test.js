// An upload through HAProxy resumes on the other file-server instance when both serve one root
// folder: the instance taking the upload is stopped (SIGTERM) mid-transfer, the client puts again
// and HAProxy sends it to the other instance, which continues from the partial. Skips itself
// when haproxy is not installed.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { FileClient } from '@iocp/file-transfer';
import { haproxyConfig } from '../lib/configs.js';
import { FILE_SERVER, freePort, haproxyServers, killAll, startApp, startHaproxy, waitUntil, which } from '../lib/processes.js';

const skip = which('haproxy') === undefined ? 'haproxy is not installed (apt-get install haproxy): balancer tests skipped' : false;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'iocp-ft-haproxy-'));
});
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

describe('file-server instances behind HAProxy sharing one root', { skip }, () => {
  it('an upload cut by stopping its instance resumes on the other one', async () => {
    const root = join(dir, 'root');
    mkdirSync(root);
    const local = join(dir, 'big.bin');
    const data = randomBytes(48 * 1024 * 1024);
    writeFileSync(local, data);
    const [front, p1, p2] = [await freePort(), await freePort(), await freePort()];
    const flags = (port) => ['--listen', `127.0.0.1:${port}`, '--root', root, '--proxy-protocol', '--trusted-proxy', '127.0.0.1'];
    // Only instance 1 runs at first, so the upload lands there.
    const first = await startApp(FILE_SERVER, flags(p1));
    const statsSocket = join(dir, 'stats.sock');
    const config = haproxyConfig({
      bind: `127.0.0.1:${front}`,
      servers: [
        { name: 'echo1', address: `127.0.0.1:${p1}` },
        { name: 'echo2', address: `127.0.0.1:${p2}` },
      ],
      proxyVersion: 2,
      statsSocket,
    });
    await startHaproxy(config, dir, front);
    const state = async () => haproxyServers(statsSocket, 'echo_servers');
    await waitUntil(async () => (await state()).echo1?.status === 'UP' && (await state()).echo2?.status === 'DOWN', 'instance 1 UP, 2 DOWN');

    const c1 = await FileClient.connect({ host: '127.0.0.1', port: front });
    let stopped = false;
    const cut = await c1
      .put(local, 'big.bin', {
        onProgress(done, total) {
          if (!stopped && done > total / 4) {
            stopped = true;
            first.child.kill('SIGTERM'); // drain: the transfer ends, the partial stays
          }
        },
      })
      .then(
        () => undefined,
        (e) => e,
      );
    await c1.close().catch(() => {});
    assert.ok(cut instanceof Error, 'the first upload was cut');
    assert.equal(await first.exited, 0);

    const second = await startApp(FILE_SERVER, flags(p2));
    await waitUntil(async () => (await state()).echo2?.status === 'UP', 'instance 2 UP');
    const c2 = await FileClient.connect({ host: '127.0.0.1', port: front });
    const done = await c2.put(local, 'big.bin');
    await c2.close();
    assert.ok(done.resumedFrom > 0, `resumed from ${done.resumedFrom}`);
    assert.ok(done.resumedFrom < data.length);
    assert.equal(done.sha256, createHash('sha256').update(data).digest('hex'));
    assert.ok(readFileSync(join(root, 'big.bin')).equals(data));
    // instance 2 logged the client as the header named it (the balancer as proxy)
    assert.match(second.err(), /"msg":"connection open"/);
    assert.match(second.err(), /"proxy":"127\.0\.0\.1:\d+"/);
  });
});
