// The baselines must be correct echo servers, or every ratio is meaningless: drive them with
// the stress tool (which verifies every byte) and check the framed one's frame limit.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnNode, stop, waitExit, waitListening } from '../lib/proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const STRESS = join(HERE, '../../../apps/stress/bin/stress.js');
const servers = [];
after(async () => {
  for (const s of servers) await stop(s);
});

async function start(name) {
  const proc = spawnNode(join(HERE, '../baselines', name), ['--listen', '127.0.0.1:0']);
  servers.push(proc);
  return { proc, addr: await waitListening(proc, 15_000) };
}

async function stress(args) {
  const proc = spawnNode(STRESS, [...args, '--json', '--quiet']);
  const ex = await waitExit(proc, 30_000);
  return { code: ex.code, summary: JSON.parse(proc.state.out) };
}

describe('baselines', () => {
  it('framed echo returns every frame intact: small, split and large frames', async () => {
    const { addr } = await start('net-framed-echo.js');
    for (const size of ['64', '1-3000', '60k-300k']) {
      const { code, summary } = await stress(['--target', addr.target, '--connections', '4', '--depth', '4', '--size', size, '--duration', '0.4']);
      assert.equal(code, 0, `size ${size}: ${JSON.stringify(summary.errors)} ${JSON.stringify(summary.mismatches)}`);
      assert.ok(summary.messages.received > 0);
    }
  });

  it('raw echo returns the byte stream intact', async () => {
    const { addr } = await start('net-raw-echo.js');
    const { code, summary } = await stress(['--target', addr.target, '--mode', 'raw', '--connections', '4', '--depth', '8', '--size', '1-9000', '--duration', '0.4']);
    assert.equal(code, 0);
    assert.equal(summary.bytes.received, summary.bytes.sent);
  });

  it('framed echo closes a connection whose header announces more than 16 MiB', async () => {
    const { addr } = await start('net-framed-echo.js');
    const closed = await new Promise((resolve, reject) => {
      const s = connect(addr.port, addr.host, () => s.write(Buffer.from([0xff, 0xff, 0xff, 0xff])));
      s.on('close', () => resolve(true));
      s.on('error', () => {});
      setTimeout(() => {
        s.destroy();
        reject(new Error('not closed within 10 s'));
      }, 10_000).unref();
    });
    assert.equal(closed, true);
  });

  it('prints listening and exits 0 on SIGTERM', async () => {
    const { proc } = await start('net-raw-echo.js');
    const ex = await stop(proc);
    assert.equal(ex.code, 0);
    assert.equal(ex.killed, false);
  });
});
