import { lengthPrefixed, raw } from '@iocp/framing';
import type { JobPoolStats } from '@iocp/jobpool';
import { CompletionPort, type Listener, type PeerInfo, formatEndpoint } from '@iocp/transport';
import type { ServerConfig } from './cli.js';
import { StartupError } from './errors.js';
import { createJobHook } from './job-hook.js';
import type { Logger } from './logger.js';

/** Send-queue cap floor: 4 MiB per connection. */
const MIN_SEND_QUEUE_CAP = 4 * 1024 * 1024;
/** Headroom above one max-size reply: the default high watermark's worth of earlier replies. */
const SEND_QUEUE_HEADROOM = 64 * 1024;
/** Length-prefix header width of the framed mode. */
const HEADER_BYTES = 4;

/** One echo server process (the whole server, or one cluster worker). */
export interface EchoServer {
  readonly port: CompletionPort;
  /** Bound addresses in `--listen` order, as printed: `127.0.0.1:7000`, `[::1]:7001`. */
  readonly addresses: readonly string[];
  /** The job pool's counters with `--jobs N > 0`; `undefined` without a pool. */
  readonly jobStats: (() => JobPoolStats) | undefined;
  /** Stop accepting, let queued replies drain up to `drainMs`, end every socket. */
  close(drainMs: number): Promise<void>;
}

/**
 * The per-connection send-queue cap for a max frame: never below one max-size reply plus
 * headroom, never below 4 MiB.
 */
export function sendQueueCap(config: Pick<ServerConfig, 'mode' | 'maxFrame'>): number {
  if (config.mode === 'raw') return MIN_SEND_QUEUE_CAP;
  return Math.max(MIN_SEND_QUEUE_CAP, config.maxFrame + HEADER_BYTES + SEND_QUEUE_HEADROOM);
}

/** Create the port, open every listener, wire the echo handler. Closes the port if any listener fails. */
export async function startEchoServer(config: ServerConfig, log: Logger): Promise<EchoServer> {
  const hook = createJobHook(config, log);
  const port = new CompletionPort({
    limits: {
      maxConnections: config.maxConnections ?? Number.POSITIVE_INFINITY,
      maxConnectionsPerSecond: config.maxConnRate ?? Number.POSITIVE_INFINITY,
      maxConnectionsPerIp: config.maxConnPerIp ?? Number.POSITIVE_INFINITY,
      maxBufferedBytes: config.maxBuffered,
    },
    timeouts: {
      firstDataMs: config.firstDataTimeoutMs,
      idleMs: config.idleTimeoutMs,
      writeStallMs: config.writeTimeoutMs,
      ...(config.heartbeatMs > 0 ? { heartbeat: { intervalMs: config.heartbeatMs, maxMissed: config.heartbeatMisses } } : {}),
    },
    sendQueue: { maxBytes: sendQueueCap(config) },
  });
  const codec = config.mode === 'framed' ? lengthPrefixed({ maxFrameLength: config.maxFrame }) : raw();
  // A refused PROXY header never becomes a connection: logged here, once per socket.
  const handler = {
    ...hook.handler,
    onProxyHeaderError(peer: PeerInfo, error: Error) {
      log.info({ proxy: formatEndpoint(peer.remoteAddress, peer.remotePort), reason: 'proxy-header', err: error.message }, 'connection refused');
    },
  };
  const listeners: Listener[] = [];
  for (const at of config.listen) {
    try {
      listeners.push(
        await port.listen(
          {
            host: at.host,
            port: at.port,
            codec,
            ...(config.tls ? { tls: config.tls } : {}),
            ...(config.proxyProtocol ? { proxyProtocol: config.proxyProtocol } : {}),
          },
          handler,
        ),
      );
    } catch (error) {
      await port.close({ drainMs: 0 }).catch(() => {});
      await hook.close();
      const cause = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const why = cause.cause?.code ?? cause.code ?? cause.message;
      throw new StartupError('IOCP_ERR_LISTEN', `cannot listen on ${formatEndpoint(at.host, at.port)}: ${why}`, {
        cause: error,
      });
    }
  }
  log.info(
    {
      listeners: listeners.map((l) => l.address),
      mode: config.mode,
      maxFrame: config.maxFrame,
      tls: config.tls !== undefined,
      proxyProtocol: config.proxyProtocol?.trusted,
      jobs: config.jobs,
      jobCostUs: config.jobCostUs,
    },
    'echo server ready',
  );
  return {
    port,
    addresses: listeners.map((l) => l.address),
    jobStats: hook.jobStats,
    async close(drainMs) {
      await port.close({ drainMs });
      await hook.close();
    },
  };
}
