import { type RespClient, type RespReply, type RespRequest, resp } from '@iocp/resp';
import { CompletionPort, type Handler, type Listener, type PeerInfo, formatEndpoint } from '@iocp/transport';
import type { Logger } from 'pino';
import type { ServerConfig } from './cli.js';
import { type ClientState, createCommands } from './commands.js';
import { KvStore } from './store.js';

/** How often the bounded expiry sweep runs. */
export const SWEEP_INTERVAL_MS = 100;
/** Replies up to this many bytes are encoded into the port's pooled send buffer. */
export const REPLY_COPY_THRESHOLD = 16 * 1024;
/** Send-queue cap floor per connection. */
const MIN_SEND_QUEUE_CAP = 4 * 1024 * 1024;

/** A running kv-server: port, store, listeners. */
export interface KvServer {
  readonly port: CompletionPort;
  readonly store: KvStore;
  /** Bound addresses in `--listen` order, as printed. */
  readonly addresses: readonly string[];
  /** Stop accepting, let queued replies drain up to `drainMs`, end every socket. */
  close(drainMs: number): Promise<void>;
}

/** Open every listener with the RESP codec and the command table. Closes the port if one fails. */
export async function startKvServer(config: ServerConfig, log: Logger): Promise<KvServer> {
  const port = new CompletionPort({
    limits: { maxConnections: config.maxConnections ?? Number.POSITIVE_INFINITY, maxBufferedBytes: config.maxBuffered },
    timeouts: { idleMs: config.idleTimeoutMs },
    // A reply can carry one max-size value (GET); a connection is closed when its queued replies
    // pass this (a client that pipelines reads of large values without reading the replies).
    sendQueue: { maxBytes: Math.max(MIN_SEND_QUEUE_CAP, config.maxBulk + 1024 * 1024) },
    // Replies up to 16 KiB (a 4 KiB value and its header, a small MGET) are encoded into the
    // port's pooled send buffer; only larger ones get a buffer of their own.
    copyThreshold: REPLY_COPY_THRESHOLD,
  });
  const store = new KvStore();
  const listeners: Listener[] = [];
  const router = createCommands(store, {
    tcpPort: () => listeners[0]?.port ?? 0,
    connectedClients: () => port.stats().connections.current,
    totalConnections: () => port.stats().connections.accepted,
    totalCommands: () => port.stats().messagesIn,
  });
  const codec = resp({ maxBulkLength: config.maxBulk });
  const routed = router.handler();
  // With --proxy-protocol, remoteAddress/remotePort are the client the header named and
  // proxyAddress the balancer: logs name both.
  const handler: Handler<RespClient<ClientState>, RespRequest, RespReply> = {
    ...routed,
    onOpen(conn) {
      routed.onOpen(conn);
      if (log.isLevelEnabled('debug')) {
        const proxy = conn.proxyAddress === undefined ? {} : { proxy: formatEndpoint(conn.proxyAddress, conn.proxyPort ?? 0) };
        log.debug({ handle: conn.handle, peer: formatEndpoint(conn.remoteAddress, conn.remotePort), ...proxy }, 'connection open');
      }
    },
    onClose(conn, reason, error) {
      if (reason !== 'peer-closed' && reason !== 'local' && reason !== 'shutdown') {
        log.info({ handle: conn.handle, peer: formatEndpoint(conn.remoteAddress, conn.remotePort), reason, err: error?.message }, 'connection closed');
      }
    },
    // A refused PROXY header never becomes a connection: logged here, once per socket.
    onProxyHeaderError(peer: PeerInfo, error: Error) {
      log.info({ proxy: formatEndpoint(peer.remoteAddress, peer.remotePort), reason: 'proxy-header', err: error.message }, 'connection refused');
    },
  };
  for (const at of config.listen) {
    try {
      listeners.push(
        await port.listen(
          { host: at.host, port: at.port, codec, ...(config.tls ? { tls: config.tls } : {}), ...(config.proxyProtocol ? { proxyProtocol: config.proxyProtocol } : {}) },
          handler,
        ),
      );
    } catch (error) {
      await port.close({ drainMs: 0 }).catch(() => {});
      throw error;
    }
  }
  const sweep = setInterval(() => store.sweep(), SWEEP_INTERVAL_MS);
  sweep.unref();
  log.info({ listeners: listeners.map((l) => l.address), maxBulk: config.maxBulk, tls: config.tls !== undefined, proxyProtocol: config.proxyProtocol?.trusted }, 'kv-server ready');
  return {
    port,
    store,
    addresses: listeners.map((l) => l.address),
    async close(drainMs) {
      clearInterval(sweep);
      await port.close({ drainMs });
    },
  };
}
