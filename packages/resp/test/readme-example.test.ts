import * as fs from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { CompletionPort } from '@iocp/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { startMiniServer } from './readme/mini-server.js';

const here = new URL('.', import.meta.url);

describe('README example', () => {
  let port: CompletionPort | undefined;
  afterEach(async () => {
    await port?.close({ drainMs: 0 });
  });

  it('appears verbatim in the README', () => {
    const text = fs.readFileSync(new URL('../README.md', here), 'utf8');
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```\n/g)].map((m) => m[1]);
    const file = fs.readFileSync(new URL('readme/mini-server.ts', here), 'utf8').replaceAll("'../../src/index.js'", "'@iocp/resp'");
    expect(blocks).toContain(file);
  });

  it('answers a pipelined conversation in order', async () => {
    port = new CompletionPort();
    const listener = await startMiniServer(port, 0);
    const socket = connect(listener.port, '127.0.0.1');
    await once(socket, 'connect');
    const expected = '+PONG\r\n+OK\r\n$4\r\ndone\r\n$1\r\nv\r\n-ERR on purpose\r\n$-1\r\n';
    let got = '';
    const done = new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.length >= expected.length) resolve();
      });
    });
    socket.write('PING\r\nSET k v\r\nSLOW\r\nGET k\r\nFAIL\r\nGET nope\r\n');
    await done;
    expect(got).toBe(expected);
    socket.destroy();
  });
});
