import { connect } from 'node:net';
import { encode } from '@iocp/framing';
import { checkGarbage, checkSplits, encodeAll } from '@iocp/framing/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Reply, type Request, kvLite } from './kv-lite-codec.js';
import { startKvLite } from './kv-lite-server.js';

const codec = kvLite();
const wire = (text: string) => Buffer.from(text, 'latin1');

describe('KV-lite codec', () => {
  it('decodes every request the same however the stream is cut', () => {
    const requests: Request[] = [
      { op: 'SET', key: 'a', value: wire('x\ny') }, // a value may hold LF
      { op: 'GET', key: 'a' },
      { op: 'SET', key: 'empty', value: wire('') },
      { op: 'DEL', key: 'a' },
    ];
    checkSplits(codec, wire('SET a 3\nx\ny\nGET a\nSET empty 0\n\nDEL a\n'), requests);
  });

  it('refuses bad input with coded framing errors only, in bounded memory', () => {
    const valid = fc
      .array(fc.constantFrom('GET k\n', 'DEL k\n', 'SET k 2\nab\n', 'SET k 0\n\n'), { maxLength: 8 })
      .map((lines) => wire(lines.join('')));
    checkGarbage(codec, { valid, numRuns: 100 });
  });

  it('encodes every reply', () => {
    const replies: Reply[] = [
      { type: 'ok' },
      { type: 'nil' },
      { type: 'value', value: wire('abc') },
      { type: 'error', message: 'unknown command' },
    ];
    expect(encodeAll(codec.encoder, replies).toString('latin1')).toBe('OK\nNIL\nVAL 3\nabc\nERR unknown command\n');
    expect(encode(codec.encoder, { type: 'value', value: wire('') }).toString('latin1')).toBe('VAL 0\n\n');
  });
});

describe('KV-lite server', () => {
  it('answers over loopback, a 1 MiB value included, and an error before closing on bad input', async () => {
    const { cp, listener } = await startKvLite();
    try {
      const big = Buffer.alloc(1 << 20, 0x61);
      const sock = connect(listener.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      const closed = new Promise((resolve) => sock.on('close', resolve));
      sock.write(Buffer.concat([wire('SET k 3\nabc\nGET k\nGET nope\nSET big 1048576\n'), big, wire('\nGET big\nBOOM x\n')]));
      await closed;
      const text = Buffer.concat(chunks).toString('latin1');
      expect(text).toBe(`OK\nVAL 3\nabc\nNIL\nOK\nVAL 1048576\n${big.toString('latin1')}\nERR unknown command "BOOM"\n`);
      expect(cp.stats().messagesOut).toBe(6);
    } finally {
      await cp.close();
    }
  });
});
