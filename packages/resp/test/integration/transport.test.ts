import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { CompletionPort } from '@iocp/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorReply, OK, RespRouter, resp } from '../../src/index.js';
import { mbulk } from '../helpers.js';

let port: CompletionPort | undefined;
afterEach(async () => {
  await port?.close({ drainMs: 0 });
  port = undefined;
});

async function serve(router: RespRouter, options?: Parameters<typeof resp>[0]): Promise<number> {
  port = new CompletionPort();
  const listener = await port.listen({ host: '127.0.0.1', port: 0, codec: resp(options) }, router.handler());
  return listener.port;
}

/** Write `chunks` one by one (each its own write), then read until `expected` bytes or the close. */
async function exchange(at: number, chunks: Buffer[], expected: number): Promise<{ bytes: Buffer; socket: Socket }> {
  const socket = connect(at, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const got: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => {
      got.push(d);
      n += d.length;
      if (n >= expected) resolve();
    });
    socket.on('close', () => resolve());
  });
  for (const c of chunks) {
    socket.write(c);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return { bytes: Buffer.concat(got), socket };
}

describe('@iocp/resp over @iocp/transport', () => {
  it('answers a pipelined stream sent in 1-byte writes, in order, async commands included', async () => {
    const store = new Map<string, Buffer>();
    const router = new RespRouter()
      .command('set', 3, (a) => {
        store.set(a.latin1(1), Buffer.from(a.arg(2)));
        return OK;
      })
      .command('get', 2, (a) => store.get(a.latin1(1)) ?? null)
      .command('later', 2, async (a) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return a.arg(1);
      });
    const at = await serve(router);
    const wire = Buffer.concat([mbulk('SET', 'k', 'v1'), mbulk('LATER', 'x'), Buffer.from('GET k\r\n'), mbulk('nope'), mbulk('GET', 'missing')]);
    const expected = "+OK\r\n$1\r\nx\r\n$2\r\nv1\r\n-ERR unknown command 'nope', with args beginning with: \r\n$-1\r\n";
    const ones = Array.from({ length: wire.length }, (_, i) => wire.subarray(i, i + 1));
    const { bytes, socket } = await exchange(at, ones, expected.length);
    expect(bytes.toString('latin1')).toBe(expected);
    // Every reply went through send (typed): counted, although they had five different shapes.
    expect(port?.stats().messagesOut).toBe(5);
    socket.destroy();
  });

  it('sends a large value from where it is stored (head + payload) and answers a too-long bulk with a protocol error', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 9);
    const router = new RespRouter().command('big', 1, () => big).command('e', 1, () => new ErrorReply('ERR x'));
    const at = await serve(router, { maxBulkLength: 1024 });
    const head = `$${big.length}\r\n`;
    const { bytes, socket } = await exchange(at, [mbulk('BIG')], head.length + big.length + 2);
    expect(bytes.subarray(0, head.length).toString()).toBe(head);
    expect(bytes.subarray(head.length, head.length + big.length).equals(big)).toBe(true);
    socket.destroy();
    const refused = await exchange(at, [Buffer.from('*1\r\n$1\r\ne\r\n*2\r\n$3\r\nSET\r\n$2000\r\n')], 1 << 20);
    expect(refused.bytes.toString()).toBe('-ERR x\r\n-ERR Protocol error: invalid bulk length\r\n');
  });
});
