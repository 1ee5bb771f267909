import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { lengthPrefixed } from '@iocp/framing';
import { CompletionPort, type Connection, type Listener, type ListenTlsOptions, type MemoryStats, type PortOptions, type ProxyProtocolOptions, formatEndpoint } from '@iocp/transport';
import { ConnectionClosedError, InvalidOptionError } from './errors.js';
import { type FileSystem, nodeFileSystem } from './file-system.js';
import type { FrameConnection } from './frame-connection.js';
import { refuseUnknownOptions } from './internal/known-options.js';
import { RootFolder } from './internal/root-folder.js';
import type { Logger, ServerContext, ServerCounters } from './internal/server-context.js';
import { DATA_HEADER_LENGTH } from './messages.js';
import { ServerSession } from './server-session.js';

export type { Logger } from './internal/server-context.js';

/** Where and how {@link FileServer.listen} accepts connections. */
export interface FileServerListenOptions {
  /** Address to bind. Default `'127.0.0.1'`; `'::'` is dual stack. */
  host?: string | undefined;
  /** Port; `0` (default) picks a free one (read it from the returned listener). */
  port?: number | undefined;
  /** PEM certificate and key: connections are TLS. Default: plain TCP. */
  tls?: ListenTlsOptions | undefined;
  /**
   * Read a PROXY protocol header from trusted balancers first (`@iocp/transport`'s
   * `ProxyProtocolOptions`): the client it names is the peer logged and served. Default: off.
   */
  proxyProtocol?: ProxyProtocolOptions | undefined;
}

/** A snapshot of a server's activity ({@link FileServer.stats}). Counters are totals since start. */
export interface FileServerStats extends ServerCounters {
  /** Connections being served now. */
  connections: number;
  /** Names with an upload in progress now. */
  uploadsInProgress: number;
  /** Transport totals (bytes on the wire, frames) and the memory budget, when the server listens through `listen()`. */
  transport: { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number; memory: MemoryStats } | undefined;
}

/** Options of a {@link FileServer}. Every option is validated by the constructor; an unknown key is refused (`IOCP_ERR_INVALID_OPTION`). */
export interface FileServerOptions {
  /** Folder served. Required. Nothing outside it is ever read or written. */
  root: string;
  /** Shared token clients must present (compared in constant time). Default: none (open). */
  token?: string | undefined;
  /** Largest file accepted for upload, bytes. Default `Number.MAX_SAFE_INTEGER` (no limit). */
  maxFileSize?: number | undefined;
  /** Largest DATA payload, bytes (both directions). Default 256 KiB; at most `maxFrameLength - 5`. */
  chunkSize?: number | undefined;
  /** Credit per upload: the most bytes the server buffers for one upload. Default 4 MiB; at least `chunkSize`. */
  window?: number | undefined;
  /** Requests in progress at once on one connection. Default 16. Beyond: `IOCP_ERR_FT_TOO_MANY`. */
  maxTransfersPerConnection?: number | undefined;
  /** Free bytes that must remain after an upload (checked with `statfs` before it starts). Default 0. */
  minFreeBytes?: number | undefined;
  /** Partial uploads untouched for longer are removed when the server starts. Default 7 days; 0 = keep forever. */
  partialTtlMs?: number | undefined;
  /** Largest frame of the length-prefixed codec {@link FileServer.listen} uses. Default 16 MiB. */
  maxFrameLength?: number | undefined;
  /** File system (tests inject faults here). Default `node:fs/promises`. */
  fs?: FileSystem | undefined;
  /** Where to log (pino-compatible). Default: no logging. */
  logger?: Logger | undefined;
  /**
   * Options of the completion port {@link FileServer.listen} creates (limits, timeouts, send
   * queue). Default {@link DEFAULT_PORT_OPTIONS}: a 1 MiB / 256 KiB send-queue high / low
   * watermark, so a few chunks stay queued and the socket never idles between chunks, and a
   * 10 s first-data timeout (a peer that never says HELLO is closed).
   */
  portOptions?: PortOptions | undefined;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Port defaults for file transfer: send-queue watermarks sized for bulk data (a few 256 KiB
 * chunks queued), and a peer that sends nothing (not even HELLO) for 10 s is closed.
 */
export const DEFAULT_PORT_OPTIONS: PortOptions = {
  sendQueue: { highWaterMark: 1 * MiB, lowWaterMark: 256 * KiB },
  timeouts: { firstDataMs: 10_000 },
};

// Records, not arrays: the compiler fails when an option is added to the interface and not here.
const SERVER_OPTION_KEYS: Record<keyof FileServerOptions, true> = {
  root: true,
  token: true,
  maxFileSize: true,
  chunkSize: true,
  window: true,
  maxTransfersPerConnection: true,
  minFreeBytes: true,
  partialTtlMs: true,
  maxFrameLength: true,
  fs: true,
  logger: true,
  portOptions: true,
};
const LISTEN_OPTION_KEYS: Record<keyof FileServerListenOptions, true> = { host: true, port: true, tls: true, proxyProtocol: true };
const CLOSE_OPTION_KEYS: Record<'drainMs', true> = { drainMs: true };

function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidOptionError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * A file server: one root folder, any number of connections, each a {@link ServerSession}.
 * {@link FileServer.listen} serves over `@iocp/transport` in one call; or stay
 * transport-agnostic and hand it connections with {@link FileServer.attach}.
 *
 * ```ts
 * const server = new FileServer({ root: '/srv/files', token: process.env.TOKEN });
 * const listener = await server.listen({ host: '127.0.0.1', port: 7000 });
 *
 * // or, over your own connection (anything with send / writable / close / destroy):
 * await server.open();
 * const session = server.attach(conn);
 * // forward conn's frames → session.onFrame(frame), drains → session.onDrain(),
 * // its close → session.onClose(error): the session then leaves the server by itself.
 * ```
 */
export class FileServer {
  /** Validated options with defaults applied. */
  readonly options: Readonly<{ [K in keyof Omit<FileServerOptions, 'token' | 'logger' | 'portOptions'>]-?: NonNullable<FileServerOptions[K]> }> &
    Pick<FileServerOptions, 'token' | 'logger' | 'portOptions'>;
  private port: CompletionPort | undefined;
  private ctx: ServerContext | undefined;
  private opening: Promise<void> | undefined;
  private readonly sessions = new Set<ServerSession>();
  private readonly busy = new Map<string, Promise<void> | undefined>();
  private readonly counters: ServerCounters = {
    uploadsStarted: 0,
    uploadsPublished: 0,
    downloadsStarted: 0,
    downloadsCompleted: 0,
    bytesReceived: 0,
    bytesSent: 0,
    failures: {},
  };

  constructor(options: FileServerOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('FileServer options must be an object with a root');
    refuseUnknownOptions(options, Object.keys(SERVER_OPTION_KEYS), 'FileServer');
    if (typeof options.root !== 'string' || options.root === '') throw new InvalidOptionError('root is required');
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
      throw new InvalidOptionError('token must be a non-empty string');
    }
    const maxFrameLength = int(options.maxFrameLength ?? 16 * MiB, 'maxFrameLength', 1 * KiB + DATA_HEADER_LENGTH, 0xffff_ffff);
    const chunkSize = int(options.chunkSize ?? 256 * KiB, 'chunkSize', 1, maxFrameLength - DATA_HEADER_LENGTH);
    this.options = {
      root: path.resolve(options.root),
      token: options.token,
      maxFileSize: int(options.maxFileSize ?? Number.MAX_SAFE_INTEGER, 'maxFileSize', 0, Number.MAX_SAFE_INTEGER),
      chunkSize,
      window: int(options.window ?? 4 * MiB, 'window', chunkSize, 0xffff_ffff),
      maxTransfersPerConnection: int(options.maxTransfersPerConnection ?? 16, 'maxTransfersPerConnection', 1, 0xffff),
      minFreeBytes: int(options.minFreeBytes ?? 0, 'minFreeBytes', 0, Number.MAX_SAFE_INTEGER),
      partialTtlMs: int(options.partialTtlMs ?? 7 * 24 * 3600 * 1000, 'partialTtlMs', 0, Number.MAX_SAFE_INTEGER),
      maxFrameLength,
      fs: options.fs ?? nodeFileSystem,
      logger: options.logger,
      portOptions: options.portOptions,
    };
  }

  /** Resolve the root, create the partials folder, sweep stale partials. Idempotent. */
  open(): Promise<void> {
    this.opening ??= this.doOpen();
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const o = this.options;
    const root = await RootFolder.open(o.fs, o.root);
    if (o.partialTtlMs > 0) await this.sweep(root, o.partialTtlMs);
    this.ctx = {
      root,
      fs: o.fs,
      tokenDigest: o.token === undefined ? undefined : createHash('sha256').update(o.token, 'utf8').digest(),
      maxFileSize: o.maxFileSize,
      chunkSize: o.chunkSize,
      window: o.window,
      maxTransfers: o.maxTransfersPerConnection,
      minFreeBytes: o.minFreeBytes,
      busy: this.busy,
      log: o.logger,
      counters: this.counters,
      sessions: this.sessions,
    };
  }

  private async sweep(root: RootFolder, ttl: number): Promise<void> {
    const now = Date.now();
    const names = await root.fs.readdir(root.partialsDir).catch(() => [] as string[]);
    for (const n of names) {
      const p = path.join(root.partialsDir, n);
      const st = await root.fs.lstat(p).catch(() => undefined);
      if (st?.isFile() && now - st.mtimeMs > ttl) await root.fs.unlink(p).catch(() => {});
    }
  }

  /** Real path of the served root (after {@link open}). */
  get root(): string {
    if (!this.ctx) throw new InvalidOptionError('FileServer.open() has not completed');
    return this.ctx.root.real;
  }

  /**
   * Serve one connection. Forward its frames (`onFrame`), drains (`onDrain`) and close
   * (`onClose`) to the returned session, in order. Once the session has closed — the
   * connection's close forwarded, or the session ended it over a protocol violation — it is
   * no longer counted in {@link FileServer.connections} and {@link FileServer.stats}; no
   * {@link FileServer.detach} needed.
   * @throws InvalidOptionError before {@link open} has completed
   */
  attach(conn: FrameConnection, peer?: string): ServerSession {
    if (!this.ctx) throw new InvalidOptionError('FileServer.open() has not completed');
    const s = new ServerSession(conn, this.ctx, peer);
    this.sessions.add(s);
    return s;
  }

  /**
   * Forget a session now, whether or not its connection closed. Not needed after a close: a
   * session leaves the server by itself once its `onClose` ran. Idempotent.
   */
  detach(session: ServerSession): void {
    this.sessions.delete(session);
  }

  /**
   * Accept connections over `@iocp/transport` (length-prefixed frames, 4-byte big-endian
   * header, `maxFrameLength`). May be called several times (several addresses share one port).
   */
  async listen(options: FileServerListenOptions = {}): Promise<Listener> {
    refuseUnknownOptions(options, Object.keys(LISTEN_OPTION_KEYS), 'FileServer.listen');
    await this.open();
    this.port ??= new CompletionPort(this.options.portOptions ?? DEFAULT_PORT_OPTIONS);
    const codec = lengthPrefixed({ maxFrameLength: this.options.maxFrameLength });
    return this.port.listen<ServerSession>(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        codec,
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.proxyProtocol ? { proxyProtocol: options.proxyProtocol } : {}),
      },
      {
        onProxyHeaderError: (peer, error) => {
          this.options.logger?.info({ proxy: formatEndpoint(peer.remoteAddress, peer.remotePort), reason: 'proxy-header', err: error.message }, 'connection refused');
        },
        onOpen: (conn) => {
          conn.owner = this.attach(conn, formatPeer(conn));
          this.options.logger?.info({ peer: formatPeer(conn), ...proxyField(conn) }, 'connection open');
        },
        onMessage: (conn, frame) => conn.owner?.onFrame(frame),
        onDrain: (conn) => conn.owner?.onDrain(),
        onClose: (conn, reason, error) => {
          const s = conn.owner;
          if (!s) return;
          s.onClose(new ConnectionClosedError(`connection closed: ${reason}`, { cause: error })); // leaves this.sessions
          this.options.logger?.info({ peer: formatPeer(conn), reason }, 'connection closed');
        },
      },
    );
  }

  /**
   * Stop accepting, let queued frames drain (up to `drainMs`), close every connection.
   * Transfers in progress end; their partials stay for resume.
   */
  async close(options: { drainMs?: number | undefined } = {}): Promise<void> {
    refuseUnknownOptions(options, Object.keys(CLOSE_OPTION_KEYS), 'FileServer.close');
    await this.port?.close({ drainMs: options.drainMs ?? 2000 });
  }

  /** Connections being served. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Activity counters and current gauges (e.g. for a Prometheus endpoint). */
  stats(): FileServerStats {
    const t = this.port?.stats();
    return {
      ...this.counters,
      failures: { ...this.counters.failures },
      connections: this.sessions.size,
      uploadsInProgress: this.busy.size,
      transport: t ? { bytesIn: t.bytesIn, bytesOut: t.bytesOut, messagesIn: t.messagesIn, messagesOut: t.messagesOut, memory: t.memory } : undefined,
    };
  }

  /** Names with an upload in progress. */
  get uploadsInProgress(): number {
    return this.busy.size;
  }
}

/** The balancer's address, for logs, when the connection came through a PROXY header. */
function proxyField(conn: Connection<unknown>): { proxy?: string } {
  return conn.proxyAddress === undefined ? {} : { proxy: formatEndpoint(conn.proxyAddress, conn.proxyPort ?? 0) };
}

function formatPeer(conn: Connection<unknown>): string {
  return conn.remoteFamily === 'IPv6' ? `[${conn.remoteAddress}]:${conn.remotePort}` : `${conn.remoteAddress}:${conn.remotePort}`;
}
