// Type-level tests: checked by `pnpm typecheck` (tsc compiles test/), run as a no-op by vitest.
import { type Codec, lengthPrefixed } from '@iocp/framing';
import { describe, expectTypeOf, it } from 'vitest';
import { CompletionPort, type Connection, type Handler } from '../src/index.js';

type Cmd = { op: 'get'; key: string };
type Reply = { value: string | null };
declare const typed: Codec<Cmd, Reply>;

describe('types', () => {
  it('the echo one-liner type-checks: callbacks may return any value', () => {
    const h: Handler = { onMessage: (conn, f) => conn.send(f) };
    expectTypeOf(h.onMessage).parameter(1).toEqualTypeOf<Buffer>();
    expectTypeOf<ReturnType<NonNullable<Handler['onOpen']>>>().toBeUnknown();
  });

  it('listen and connect take their message types from the codec', () => {
    const port = new CompletionPort();
    const run = async () => {
      await port.listen(
        { codec: typed },
        {
          onMessage(conn, msg) {
            expectTypeOf(msg).toEqualTypeOf<Cmd>();
            expectTypeOf(conn).toEqualTypeOf<Connection<unknown, Reply>>();
            conn.send({ value: msg.key });
            // @ts-expect-error a byte frame is not a Reply
            conn.send(Buffer.from('x'));
            conn.sendRaw(Buffer.from('raw bytes stay bytes'));
          },
        },
      );
      const c = await port.connect({ host: '127.0.0.1', port: 1, codec: lengthPrefixed() }, { onMessage: (_c, f) => f.length });
      expectTypeOf(c).toEqualTypeOf<Connection<unknown, Uint8Array>>();
      // @ts-expect-error a byte codec's connection sends bytes
      c.send({ value: 'x' });
      const t = await port.connect<{ user: string }, Cmd, Reply>({ host: '127.0.0.1', port: 1, codec: typed }, {});
      expectTypeOf(t.owner).toEqualTypeOf<{ user: string } | undefined>();
      expectTypeOf(t.send).parameter(0).toEqualTypeOf<Reply>();
    };
    expectTypeOf(run).returns.resolves.toBeVoid();
  });

  it('a byte codec stays Codec<Buffer, Uint8Array>', () => {
    expectTypeOf(lengthPrefixed()).toMatchTypeOf<Codec>();
    expectTypeOf<Codec>().toEqualTypeOf<Codec<Buffer, Uint8Array>>();
  });
});
