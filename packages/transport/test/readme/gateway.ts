import type { ConnectionOptions } from 'node:tls';
import { delimiter, lengthPrefixed } from '@iocp/framing';
import { CompletionPort, type Connection, type Listener } from '../../src/index.js';

/** What the application brings. */
export interface Setup {
  host: string; // '::' = every interface, dual stack
  ports: { frames: number; lines: number }; // e.g. 7000 and 7001; 0 = any free port
  tls: { cert: string; key: string }; // PEM, for the line listener
  backend: { host: string; port: number; tls: ConnectionOptions | boolean }; // e.g. db.local:9000, tls: true
  login(frame: Buffer): Promise<string>; // the first frame of a connection names its owner
  log: { info(fields: object): void };
}

export async function start(setup: Setup): Promise<{ port: CompletionPort; frames: Listener; lines: Listener; backend: Connection }> {
  const port = new CompletionPort({
    limits: { maxConnections: 10_000, maxConnectionsPerSecond: 500, maxConnectionsPerIp: 50 },
    timeouts: { firstDataMs: 5_000, idleMs: 120_000, heartbeat: { intervalMs: 15_000, maxMissed: 2 } },
    sendQueue: { highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024, maxBytes: 4 * 1024 * 1024 },
  });

  // The client side of the same class, with reconnect. Replies are [handle: f64 BE][payload]:
  // port.send routes each one to the connection with that handle, from anywhere.
  const backend = await port.connect(
    { ...setup.backend, codec: lengthPrefixed(), reconnect: { maxDelayMs: 10_000 } },
    {
      onMessage: (_conn, reply) => {
        port.send(reply.readDoubleBE(0), reply.subarray(8)); // false for a stale handle (client gone)
      },
    },
  );

  // Two listeners, each with its own codec and handler.
  const frames = await port.listen<string>(
    { host: setup.host, port: setup.ports.frames, codec: lengthPrefixed({ maxFrameLength: 1 << 20 }) },
    {
      async onMessage(conn, frame) {
        if (conn.owner === undefined) conn.owner = await setup.login(frame); // later frames wait for this
        else {
          const tagged = Buffer.allocUnsafe(8 + frame.length); // handles are safe integers: exact as f64
          tagged.writeDoubleBE(conn.handle, 0);
          frame.copy(tagged, 8);
          backend.send(tagged); // false when not queued (backend down, reconnecting)
        }
      },
      onClose(conn, reason, error) {
        setup.log.info({ handle: conn.handle, owner: conn.owner, reason, code: (error as { code?: string } | undefined)?.code });
      },
    },
  );
  const lines = await port.listen(
    { host: setup.host, port: setup.ports.lines, codec: delimiter({ delimiter: '\n' }), tls: setup.tls },
    {
      onMessage: (conn, line) => {
        conn.send(line); // or `(conn, line) => conn.send(line)`: only a returned promise is awaited
      },
    },
  );
  return { port, frames, lines, backend };
}

export async function stop(port: CompletionPort, log: Setup['log']): Promise<void> {
  log.info(port.stats());
  await port.close({ drainMs: 5_000 }); // stop accepting, deliver queued replies, end sockets
}
