import * as fs from 'node:fs';
import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameReader, encode, lengthPrefixed } from '../src/index.js';
import { checkSplits, decodeUntilError } from '../src/testing.js';
import { bytes } from './helpers.js';
import { serve } from './readme/serve-socket.js';
import { tlv } from './readme/tlv-codec.js';

const here = new URL('.', import.meta.url);

/** The ```ts blocks of the README. */
function readmeBlocks(): string[] {
  const text = fs.readFileSync(new URL('../README.md', here), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```\n/g)].map((m) => m[1]!);
}

/** A test/readme file as it appears in the README (the package imported by name). */
function asInReadme(file: string): string {
  return fs.readFileSync(new URL(`readme/${file}`, here), 'utf8').replaceAll("'../../src/index.js'", "'@iocp/framing'");
}

describe('README examples are the files type-checked and run here', () => {
  it('the socket example and the TLV codec appear verbatim in the README', () => {
    const blocks = readmeBlocks();
    expect(blocks).toContain(asInReadme('serve-socket.ts'));
    expect(blocks).toContain(asInReadme('tlv-codec.ts'));
  });
});

describe('README example: serve(socket) over loopback', () => {
  const servers: net.Server[] = [];
  const clients: net.Socket[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  async function start(): Promise<{ port: number; frames: string[]; logged: string[] }> {
    const frames: string[] = [];
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      logged.push(String(line));
    });
    const server = net.createServer((socket) => serve(socket, (frame) => frames.push(frame.toString())));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port, frames, logged };
  }

  /** Connect, send `wire`, half-close; resolve with the frames received once the server closes. */
  async function peer(port: number, wire: Buffer): Promise<string[]> {
    const socket = net.connect(port, '127.0.0.1');
    clients.push(socket);
    const reader = new FrameReader(lengthPrefixed().createDecoder());
    const got: string[] = [];
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let f = reader.next(); f !== undefined; f = reader.next()) got.push(f.toString());
    });
    socket.on('error', () => {}); // a dropped peer may see a reset
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.end(wire);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return got;
  }

  it('a good peer gets hello and its frames are handled', async () => {
    const { port, frames, logged } = await start();
    const codec = lengthPrefixed();
    const got = await peer(port, Buffer.concat([encode(codec.encoder, Buffer.from('one')), encode(codec.encoder, Buffer.from('two'))]));
    expect(got).toEqual(['hello']);
    expect(frames).toEqual(['one', 'two']);
    expect(logged).toEqual([]);
  });

  it('a peer that sends FIN mid-frame is logged with IOCP_ERR_FRAME_TRUNCATED and dropped; the server serves the next peer', async () => {
    const { port, frames, logged } = await start();
    await peer(port, bytes([0, 0, 0, 9], 'abc')); // 9 announced, 3 sent, then FIN
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/IOCP_ERR_FRAME_TRUNCATED/);
    await peer(port, bytes([0xff, 0xff, 0xff, 0xff])); // 4 GiB announced, over the 1 MiB limit
    expect(logged).toHaveLength(2);
    expect(logged[1]).toMatch(/IOCP_ERR_FRAME_TOO_LONG/);
    const got = await peer(port, encode(lengthPrefixed().encoder, Buffer.from('still here')));
    expect(got).toEqual(['hello']);
    expect(frames).toEqual(['still here']);
  });
});

describe('README example: write your own codec (TLV)', () => {
  it('the application receives type + body, exactly what was encoded', () => {
    const wire = encode(tlv.encoder, bytes([7], 'ab'));
    expect(wire).toEqual(bytes([0, 3, 7], 'ab'));
    checkSplits(() => tlv.createDecoder(), wire, [bytes([7], 'ab')]);
  });

  it('encodes and decodes several frames at every split, as views of the input', () => {
    const frames = [bytes([7], 'abc'), bytes([9]), bytes([1], 'x'.repeat(300))];
    const wire = Buffer.concat(frames.map((f) => encode(tlv.encoder, f)));
    checkSplits(() => tlv.createDecoder(), wire, frames);
    const reader = new FrameReader(tlv.createDecoder());
    reader.push(wire);
    const first = reader.next()!;
    expect(first.buffer).toBe(wire.buffer); // zero copy
  });

  it('type 0 and a frame without a type are corrupt; the encoder refuses what the wire cannot carry', () => {
    expect(decodeUntilError(tlv.createDecoder(), [bytes([0, 1, 0])]).error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
    expect(decodeUntilError(tlv.createDecoder(), [bytes([0, 0, 7])]).error?.code).toBe('IOCP_ERR_FRAME_CORRUPT');
    expect(() => encode(tlv.encoder, Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'IOCP_ERR_FRAME_CORRUPT' }));
    expect(() => encode(tlv.encoder, Buffer.alloc(0x10000, 1))).toThrow(expect.objectContaining({ code: 'IOCP_ERR_FRAME_TOO_LONG' }));
  });
});
