import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileServer } from '../src/index.js';
import { rm, tempDir } from './helpers/files.js';
import { memoryPair } from './helpers/memory-pipe.js';
import { memorySetup } from './helpers/memory-setup.js';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await tempDir();
  root = path.join(dir, 'root');
  await fsp.mkdir(root);
});
afterEach(async () => {
  await rm(dir);
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('FileServer.attach: a session leaves the server when its connection closes', () => {
  it('client closes: connections and stats() go back to 0 without detach()', async () => {
    const server = new FileServer({ root });
    const a = await memorySetup({ root }, {}, server);
    const b = await memorySetup({ root }, {}, server);
    await a.client.ready;
    await b.client.ready;
    expect(server.connections).toBe(2);
    expect(server.stats().connections).toBe(2);

    a.client.close();
    await until(() => server.connections === 1);
    expect(server.stats().connections).toBe(1);
    expect(await b.client.list()).toEqual([]);

    b.clientEnd.destroy(new Error('reset'));
    await until(() => server.stats().connections === 0);
  });

  it('a session the server ends itself (first message not HELLO) leaves too', async () => {
    const server = new FileServer({ root });
    await server.open();
    const [a, b] = memoryPair();
    b.sink = server.attach(b);
    a.sink = { onFrame() {}, onDrain() {}, onClose() {} };
    expect(server.connections).toBe(1);
    a.send(Buffer.from([0xee, 1, 2]));
    await until(() => server.connections === 0);
  });

  it('detach() still forgets a session at once, and is idempotent', async () => {
    const server = new FileServer({ root });
    await server.open();
    const [, b] = memoryPair();
    const session = server.attach(b);
    server.detach(session);
    server.detach(session);
    expect(server.connections).toBe(0);
    session.onClose();
    expect(server.connections).toBe(0);
  });

  it('explicit undefined options mean the defaults (exactOptionalPropertyTypes users)', async () => {
    const server = new FileServer({ root, token: undefined, maxFileSize: undefined, logger: undefined, portOptions: undefined });
    const { client } = await memorySetup({ root }, { token: undefined, timeoutMs: undefined }, server);
    await client.ready;
    expect(server.options.maxFileSize).toBe(Number.MAX_SAFE_INTEGER);
    client.close();
    await until(() => server.connections === 0);
  });
});
