import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientSession, FileClient, type FileTransferError, type Message, MessageType, PROTOCOL_VERSION, decodeMessage, encodeMessage } from '../src/index.js';
import { randomFile, rm, tempDir } from './helpers/files.js';
import { type MemoryEnd, memoryPair } from './helpers/memory-pipe.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await rm(dir);
});

/**
 * A scripted server on an in-memory pipe: answers HELLO with WELCOME, then hands every other
 * message to `script` (which may answer or stay silent).
 */
function scriptedServer(script: (m: Message, end: MemoryEnd) => void, timeoutMs: number): ClientSession {
  const [clientEnd, serverEnd] = memoryPair();
  serverEnd.sink = {
    onFrame(frame) {
      const m = decodeMessage(frame);
      if (m.type === MessageType.Hello) {
        serverEnd.send(encodeMessage({ type: MessageType.Welcome, version: PROTOCOL_VERSION, maxChunk: 1024, window: 1 << 20, maxTransfers: 16 }));
      } else script(m, serverEnd);
    },
    onDrain() {},
    onClose() {},
  };
  const client = new ClientSession(clientEnd, { timeoutMs, chunkSize: 1024 });
  clientEnd.sink = client;
  return client;
}

describe('client response timeout (timeoutMs)', () => {
  it('a server that accepts TCP but never answers HELLO: connect fails with IOCP_ERR_FT_TIMEOUT', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const started = performance.now();
      const err = (await FileClient.connect({ host: '127.0.0.1', port, timeoutMs: 300 }).catch((e: unknown) => e)) as FileTransferError;
      expect(err.code).toBe('IOCP_ERR_FT_TIMEOUT');
      expect(err.message).toMatch(/WELCOME.*300 ms/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a request the server never answers fails with IOCP_ERR_FT_TIMEOUT; the session serves the next request', async () => {
    let answer = false;
    const client = scriptedServer((m, end) => {
      if (m.type === MessageType.Stat && answer) end.send(encodeMessage({ type: MessageType.StatOk, id: m.id, size: 7, mtimeMs: 1 }));
    }, 200);
    await client.ready;
    // Never early, whatever the phase of the watchdog's tick when the request starts.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 17 * i));
      const started = performance.now();
      await expect(client.stat('a.txt')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_TIMEOUT', message: expect.stringMatching(/STAT a\.txt/) });
      expect(performance.now() - started).toBeGreaterThanOrEqual(198);
    }
    answer = true;
    await expect(client.stat('a.txt')).resolves.toEqual({ size: 7, mtimeMs: 1 });
    client.close();
  });

  it('an upload whose server stops granting credit fails with IOCP_ERR_FT_TIMEOUT and a CANCEL is sent', async () => {
    const src = path.join(dir, 'src.bin');
    await randomFile(src, 64 * 1024);
    const seen: number[] = [];
    const client = scriptedServer((m, end) => {
      seen.push(m.type);
      if (m.type === MessageType.Put) {
        end.send(encodeMessage({ type: MessageType.PutReady, id: m.id, offset: 0, prefixHash: Buffer.alloc(32), credit: 4096 }));
      }
    }, 200);
    await expect(client.put(src, 'x.bin')).rejects.toMatchObject({ code: 'IOCP_ERR_FT_TIMEOUT', message: expect.stringMatching(/PUT x\.bin/) });
    await new Promise((r) => setImmediate(r));
    expect(seen).toContain(MessageType.Cancel);
    client.close();
  });

  it('a slow transfer that keeps making progress is not cut off, however long it takes in total', async () => {
    const src = path.join(dir, 'src.bin');
    const size = 16 * 1024;
    await randomFile(src, size);
    const want = createHash('sha256').update(await fsp.readFile(src)).digest();
    const got = createHash('sha256');
    let received = 0;
    const timers = new Set<NodeJS.Timeout>();
    const client = scriptedServer((m, end) => {
      if (m.type === MessageType.Put) {
        end.send(encodeMessage({ type: MessageType.PutReady, id: m.id, offset: 0, prefixHash: Buffer.alloc(32), credit: 1024 }));
      } else if (m.type === MessageType.Data) {
        got.update(m.payload);
        received += m.payload.length;
        // Grant the next KiB after 100 ms: 16 grants take ~1.6 s, far over the 400 ms timeout.
        const t = setTimeout(() => {
          timers.delete(t);
          end.send(encodeMessage({ type: MessageType.Credit, id: m.id, bytes: m.payload.length }));
        }, 100);
        timers.add(t);
      } else if (m.type === MessageType.PutEnd) {
        end.send(encodeMessage({ type: MessageType.PutDone, id: m.id, size: received, sha256: got.digest() }));
      }
    }, 400);
    const started = performance.now();
    const result = await client.put(src, 'slow.bin');
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(result.sha256).toBe(want.toString('hex'));
    for (const t of timers) clearTimeout(t);
    client.close();
  });

  it('timeoutMs: 0 waits forever; a bad value is IOCP_ERR_INVALID_OPTION', async () => {
    const [a] = memoryPair();
    expect(() => new ClientSession(a, { timeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
    expect(() => new ClientSession(a, { timeoutMs: 1.5 })).toThrow(/timeoutMs/);
    const client = scriptedServer(() => {}, 0);
    await client.ready;
    const pending = client.stat('never');
    const outcome = await Promise.race([pending.then(() => 'answered', (e: FileTransferError) => e.code), new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    expect(outcome).toBe('still waiting');
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'IOCP_ERR_FT_CLOSED' });
  });
});
