import { CompletionPort, type Handler, type Listener } from '../../src/index.js';
import { type Reply, type Request, kvLite } from './kv-lite-codec.js';

/** Serve KV-lite on `port` (0 = any free port) over one in-memory map. */
export async function startKvLite(port = 0): Promise<{ cp: CompletionPort; listener: Listener }> {
  const store = new Map<string, Buffer>();
  const handler: Handler<unknown, Request, Reply> = {
    onMessage(conn, req) {
      if (req.op === 'GET') {
        const value = store.get(req.key);
        return conn.send(value === undefined ? { type: 'nil' } : { type: 'value', value });
      }
      // The decoded value is a view of received bytes: keep it without a copy.
      if (req.op === 'SET') store.set(req.key, req.value);
      else store.delete(req.key);
      return conn.send({ type: 'ok' });
    },
    // Bad input: answer once, then the port closes the connection gracefully.
    onFrameError: (conn, error) => conn.send({ type: 'error', message: error.message }),
  };
  const cp = new CompletionPort();
  const listener = await cp.listen({ host: '127.0.0.1', port, codec: kvLite() }, handler);
  return { cp, listener };
}
