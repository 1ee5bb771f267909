import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientSession, DEFAULT_TIMEOUT_MS, FileClient, FileServer } from '../src/index.js';
import { randomFile, rm, tempDir } from './helpers/files.js';
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

const invalid = (key: RegExp) => expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION', message: expect.stringMatching(key) });

describe('unknown option keys are refused with IOCP_ERR_INVALID_OPTION (a typo never falls back to a default)', () => {
  it('FileServer, FileServer.listen and FileServer.close', async () => {
    expect(() => new FileServer({ root, rooot: 1 } as never)).toThrow(invalid(/unknown option FileServer\.rooot/));
    expect(() => new FileServer({ rooot: '/srv' } as never)).toThrow(invalid(/rooot/));
    expect(() => new FileServer(null as never)).toThrow(invalid(/object/));
    const server = new FileServer({ root });
    await expect(server.listen({ prot: 0 } as never)).rejects.toThrow(invalid(/FileServer\.listen\.prot/));
    await expect(server.close({ drain: 1 } as never)).rejects.toThrow(invalid(/FileServer\.close\.drain/));
    await server.close();
  });

  it('ClientSession and FileClient.connect (before any connection is made)', async () => {
    const [a] = memoryPair();
    expect(() => new ClientSession(a, { timeout: 5 } as never)).toThrow(invalid(/unknown option ClientSession\.timeout /));
    // Port 1 on loopback: nothing is dialled, the options are refused first.
    await expect(FileClient.connect({ host: '127.0.0.1', port: 1, tokn: 'x' } as never)).rejects.toThrow(invalid(/FileClient\.tokn/));
    await expect(FileClient.connect({ host: '127.0.0.1', port: 1, timeoutMs: -5 })).rejects.toThrow(invalid(/timeoutMs/));
    await expect(FileClient.connect({ host: '127.0.0.1', port: 1, window: 0 })).rejects.toThrow(invalid(/window/));
  });

  it('put and get transfer options', async () => {
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 10);
    const { client } = await memorySetup({ root });
    await expect(client.put(src, 'a', { resum: false } as never)).rejects.toThrow(invalid(/put\.resum/));
    await expect(client.get('a', path.join(dir, 'b'), { onprogress: () => {} } as never)).rejects.toThrow(invalid(/get\.onprogress/));
    // Known keys still work.
    await expect(client.put(src, 'a', { resume: false, onProgress: () => {} })).resolves.toMatchObject({ size: 10 });
    client.close();
  });

  it('the documented timeout default is exported', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
  });
});
