import { describe, expect, it } from 'vitest';
import {
  ErrorReply,
  OK,
  Resp3,
  RespLimitError,
  RespProtocolError,
  type RespConnection,
  type RespReply,
  RespRequest,
  RespRouter,
} from '../src/index.js';

function fakeConnection<S = unknown>(): RespConnection<S> & { sent: RespReply[]; closed: boolean; paused: boolean } {
  return {
    handle: 7,
    owner: undefined,
    sent: [],
    closed: false,
    paused: false,
    writable: true,
    send(reply) {
      this.sent.push(reply);
      return true;
    },
    pause() {
      this.paused = true;
    },
    resume() {
      this.paused = false;
    },
    close() {
      this.closed = true;
    },
  };
}

const args = (...a: string[]): RespRequest => RespRequest.of(...a);

describe('RespRouter', () => {
  it('routes by case-insensitive name and checks arity the Redis way', () => {
    const router = new RespRouter()
      .command('get', 2, (a) => a.arg(1))
      .command('mset', -3, () => OK);
    const client = router.createClient(1);
    expect(router.execute(args('GET', 'k'), client)).toEqual(Buffer.from('k'));
    expect(router.execute(args('gEt', 'k'), client)).toEqual(Buffer.from('k'));
    expect(router.execute(args('get'), client)).toEqual(new ErrorReply("ERR wrong number of arguments for 'get' command"));
    expect(router.execute(args('GET', 'a', 'b'), client)).toEqual(new ErrorReply("ERR wrong number of arguments for 'get' command"));
    expect(router.execute(args('MSET', 'a'), client)).toEqual(new ErrorReply("ERR wrong number of arguments for 'mset' command"));
    expect(router.execute(args('MSET', 'a', 'b', 'c', 'd'), client)).toBe(OK);
    expect(router.execute(args('nope', 'x', 'y'), client)).toEqual(
      new ErrorReply("ERR unknown command 'nope', with args beginning with: 'x' 'y' "),
    );
  });

  it('answers a throwing handler with -ERR and reports it', () => {
    const seen: unknown[] = [];
    const router = new RespRouter({ onCommandError: (e) => seen.push(e) }).command('boom', 1, () => {
      throw new Error('kaput');
    });
    expect(router.execute(args('boom'), router.createClient(1))).toEqual(new ErrorReply('ERR kaput'));
    expect(seen).toHaveLength(1);
  });

  it('keeps per-connection order with async handlers: the transport waits for the returned promise', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const router = new RespRouter()
      .command('slow', 1, async () => {
        await gate;
        return 'slow';
      })
      .command('fast', 1, () => 'fast');
    const h = router.handler();
    const conn = fakeConnection();
    h.onOpen(conn);
    const pending = h.onMessage(conn, args('SLOW'));
    expect(pending).toBeInstanceOf(Promise);
    expect(conn.sent).toEqual([]);
    release();
    await pending;
    expect(h.onMessage(conn, args('FAST'))).toBeUndefined();
    expect(conn.sent).toEqual(['slow', 'fast']);
  });

  it('a rejected async handler becomes -ERR', async () => {
    const router = new RespRouter().command('bad', 1, async () => {
      throw new Error('no');
    });
    const h = router.handler();
    const conn = fakeConnection();
    h.onOpen(conn);
    await h.onMessage(conn, args('bad'));
    expect(conn.sent).toEqual([new ErrorReply('ERR no')]);
  });

  it('wraps replies in Resp3 once the client switched protocol, closes after QUIT-like replies, pauses when not writable', () => {
    const router = new RespRouter<{ n: number }>({ createState: () => ({ n: 0 }) })
      .command('hello', 2, (_a, client) => {
        client.protocol = 3;
        client.state.n++;
        return OK;
      })
      .command('ping', 1, () => OK)
      .command('quit', 1, (_a, client) => {
        client.closeAfterReply();
        return OK;
      });
    const h = router.handler();
    const conn = fakeConnection<{ n: number }>();
    h.onOpen(conn);
    h.onMessage(conn, args('PING'));
    h.onMessage(conn, args('HELLO', '3'));
    h.onMessage(conn, args('PING'));
    // Like Redis, the reply to HELLO 3 is already RESP3.
    expect(conn.sent).toEqual([OK, new Resp3(OK), new Resp3(OK)]);
    h.onMessage(conn, args('HELLO', '3'));
    expect(conn.owner?.state).toEqual({ n: 2 });
    (conn as { writable: boolean }).writable = false;
    h.onMessage(conn, args('HELLO', '3'));
    expect(conn.paused).toBe(true);
    h.onDrain(conn);
    expect(conn.paused).toBe(false);
    h.onMessage(conn, args('QUIT'));
    expect(conn.closed).toBe(true);
  });

  it('ignores empty requests and answers protocol errors before the close', () => {
    const router = new RespRouter();
    const h = router.handler();
    const conn = fakeConnection();
    h.onOpen(conn);
    h.onMessage(conn, RespRequest.of());
    expect(conn.sent).toEqual([]);
    h.onFrameError(conn, new RespProtocolError("expected '$', got 'x'"));
    h.onFrameError(conn, new RespLimitError('invalid bulk length', 10, 5, 'bulk'));
    expect(conn.sent).toEqual([new ErrorReply("ERR Protocol error: expected '$', got 'x'"), new ErrorReply('ERR Protocol error: invalid bulk length')]);
  });

  it('refuses bad registrations and options', () => {
    const router = new RespRouter().command('get', 2, () => null);
    for (const bad of [
      () => router.command('get', 2, () => null),
      () => router.command('x y', 2, () => null),
      () => router.command('x', 0, () => null),
      () => router.command('x', 1, 'no' as never),
      () => new RespRouter({ nope: 1 } as never),
      () => new RespRouter({ createState: 3 } as never),
    ]) {
      expect(bad).toThrow(expect.objectContaining({ code: 'IOCP_ERR_INVALID_OPTION' }));
    }
    expect(router.commands().map((c) => c.name)).toEqual(['get']);
  });
});
