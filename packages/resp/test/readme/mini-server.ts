import type { CompletionPort, Listener } from '@iocp/transport';
import { ErrorReply, OK, PONG, RespRouter, resp } from '../../src/index.js';

/** A small Redis-protocol server on `port`: `redis-cli -p <at> set k v` → OK. */
export async function startMiniServer(port: CompletionPort, at: number): Promise<Listener> {
  const store = new Map<string, Buffer>();
  const router = new RespRouter()
    .command('ping', 1, () => PONG)
    // arity 3: exactly SET key value. The value is copied: it must not keep the socket chunk alive.
    .command('set', 3, (args) => {
      store.set(args.latin1(1), Buffer.from(args.arg(2)));
      return OK;
    })
    .command('get', 2, (args) => store.get(args.latin1(1)) ?? null)
    .command('slow', 1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 'done'; // later requests of this connection wait for it; other connections go on
    })
    .command('fail', 1, () => new ErrorReply('ERR on purpose'));
  return port.listen({ host: '127.0.0.1', port: at, codec: resp() }, router.handler());
}
