import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { FrameReader, encode, lengthPrefixed } from '@iocp/framing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, selfSigned, waitFor } from './integration/helpers.js';
import { start, stop } from './readme/gateway.js';

let dir = '';
let cert = '';
let key = '';
beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'iocp-readme-'));
  ({ cert, key } = selfSigned(dir, 'server'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Length-prefixed frames in, as strings. */
function frameCollector(socket: net.Socket): Buffer[] {
  const reader = new FrameReader(lengthPrefixed().createDecoder());
  const got: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let f = reader.next(); f !== undefined; f = reader.next()) got.push(Buffer.from(f));
  });
  return got;
}

describe('README example', () => {
  it('appears verbatim in the README (this file is type-checked with the package, strict)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('readme/gateway.ts', import.meta.url), 'utf8').replaceAll("'../../src/index.js'", "'@iocp/transport'");
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```\n/g)].map((m) => m[1]);
    expect(blocks).toContain(example);
  });

  it.skipIf(!hasOpenssl)('runs over loopback: login, frames routed through the backend by handle, TLS line echo, close', async () => {
    const codec = lengthPrefixed();
    // The backend: answers [handle][payload] with [handle]["echo:" payload].
    const backendSockets = new Set<net.Socket>();
    const backend = net.createServer((s) => {
      backendSockets.add(s);
      s.on('error', () => {});
      const reader = new FrameReader(codec.createDecoder());
      s.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (let f = reader.next(); f !== undefined; f = reader.next()) {
          s.write(encode(codec.encoder, Buffer.concat([f.subarray(0, 8), Buffer.from('echo:'), f.subarray(8)])));
        }
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const logs: object[] = [];
    const sockets: net.Socket[] = [];
    const app = await start({
      host: '127.0.0.1',
      ports: { frames: 0, lines: 0 },
      tls: { cert, key },
      backend: { host: '127.0.0.1', port: (backend.address() as net.AddressInfo).port, tls: false },
      login: async (frame) => `user:${frame.toString()}`,
      log: { info: (fields) => logs.push(fields) },
    });
    try {
      expect(app.backend.open).toBe(true);
      // Frames listener: first frame logs in, later frames go through the backend and back.
      const client = net.connect(app.frames.port, '127.0.0.1');
      sockets.push(client);
      const got = frameCollector(client);
      await new Promise<void>((resolve) => client.on('connect', resolve));
      client.write(Buffer.concat([encode(codec.encoder, Buffer.from('alice')), encode(codec.encoder, Buffer.from('ping'))]));
      await waitFor(() => got.length === 1, 10_000, 'the routed reply');
      expect(got.map(String)).toEqual(['echo:ping']);

      // Lines listener over TLS: echo.
      const tlsClient = tls.connect({ host: '127.0.0.1', port: app.lines.port, ca: cert, servername: 'localhost' });
      sockets.push(tlsClient);
      let echoed = '';
      tlsClient.on('data', (d: Buffer) => {
        echoed += d.toString();
      });
      await new Promise<void>((resolve) => tlsClient.on('secureConnect', resolve));
      tlsClient.write('one\ntwo\n');
      await waitFor(() => echoed === 'one\ntwo\n', 10_000, 'the TLS echo');

      // Closing a logged-in client is logged with its owner.
      client.end();
      await waitFor(() => logs.length === 1, 10_000, 'the close log');
      expect(logs[0]).toMatchObject({ owner: 'user:alice', reason: 'peer-closed' });
    } finally {
      await stop(app.port, { info: (fields) => logs.push(fields) });
      for (const s of sockets) s.destroy();
      for (const s of backendSockets) s.destroy();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
    expect(logs.at(-1)).toHaveProperty('connections.accepted', 2);
    expect(app.port.closed).toBe(true);
  });
});
