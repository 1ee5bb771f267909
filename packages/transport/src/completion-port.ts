import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type SecureContext, TLSSocket, type TlsOptions, createSecureContext } from 'node:tls';
import type { Codec } from '@iocp/framing';
import { InvalidOptionError, ListenError, MaxConnectionsError, PortClosedError, type ProxyHeaderError } from './errors.js';
import { formatEndpoint } from './endpoint.js';
import { normalizeAddress } from './internal/classify.js';
import { ClientSession, type SessionHost } from './internal/client-session.js';
import { ConnectionImpl, type ConnectionProfile, connectionOf, connectionProfile, nowMs } from './internal/connection-impl.js';
import { HandleTable } from './internal/handle-table.js';
import { type BudgetMember, MemoryBudget } from './internal/memory-budget.js';
import {
  type ResolvedPortOptions,
  type ResolvedProxyProtocol,
  checkListenOptions,
  resolveConnectOptions,
  resolvePortOptions,
  resolveProxyProtocol,
} from './internal/options.js';
import { OutPool } from './internal/out-pool.js';
import type { PortCore } from './internal/port-core.js';
import { type GateHost, ProxyGate } from './internal/proxy-gate.js';
import type { SendQueue } from './internal/send-queue.js';
import { TokenBucket } from './internal/token-bucket.js';
import type {
  CloseReason,
  ConnectOptions,
  Connection,
  Handler,
  ListenOptions,
  Listener,
  PeerInfo,
  PortOptions,
  PortStats,
  ProxyHeader,
  RefuseReason,
} from './types.js';

/**
 * Listen backlog unless the listener says otherwise: room for a connection burst (the kernel
 * caps it at net.core.somaxconn, 4096 on current Linux). Node's own default, 511, made 10,000
 * connections opened at once wait for SYN retransmits.
 */
const DEFAULT_BACKLOG = 4096;

/** Shortest and longest watchdog sweep period. */
const SWEEP_MIN_MS = 5;
const SWEEP_MAX_MS = 1000;

interface ListenerEntry extends Listener {
  readonly server: Server;
  readonly handler: Handler<unknown>;
  readonly secureContext: SecureContext | undefined;
  readonly tlsOptions: TlsOptions | undefined;
  /** Shared by every connection of this listener. */
  readonly profile: ConnectionProfile;
  /** PROXY protocol settings, when the listener reads a header first. */
  readonly proxy: ResolvedProxyProtocol | undefined;
}

function noop(): void {}

/** Largest wire frame the codec accepts, or 0 when unbounded/unknown. */
function codecMaxFrame(codec: Codec): number {
  try {
    const m = codec.createDecoder().maxBufferedBytes;
    return Number.isFinite(m) && m > 0 ? m : 0;
  } catch {
    return 0;
  }
}

/**
 * The completion port: one object that owns every listener and outgoing connection of a
 * process, hands the app ordered per-connection events, and keeps memory and time bounded.
 *
 * ```
 *  listen() ─┐                       ┌─ onOpen ─ onMessage* / onDrain* ─ onClose(reason)
 *  connect() ┴─► admission ─► handle ─┤      (in order; a returned promise holds the next
 *                                     │       event and pauses reading)
 *  send(handle) / conn.send ─► pooled turn buffer ─► one writev per connection per turn
 *  one watchdog timer ─► first-data / idle / write-stall / heartbeat / handshake / close deadlines
 * ```
 */
export class CompletionPort {
  readonly #core: Core;

  /** Validates `options` (throws `IOCP_ERR_INVALID_OPTION`). */
  constructor(options?: PortOptions) {
    this.#core = new Core(resolvePortOptions(options));
  }

  /** Listeners currently bound. */
  get listeners(): readonly Listener[] {
    return [...this.#core.listeners];
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#core.closing;
  }

  /**
   * Bind an address and serve it with `handler` and `options.codec`. Resolves once listening.
   * Rejects with `IOCP_ERR_LISTEN` (cause: `EADDRINUSE` ...), `IOCP_ERR_INVALID_OPTION` or
   * `IOCP_ERR_PORT_CLOSED`.
   */
  async listen<O = unknown, In = Buffer, Out = Uint8Array>(
    options: ListenOptions<In, Out>,
    handler: Handler<O, In, Out>,
  ): Promise<Listener> {
    return this.#core.listen(options as unknown as ListenOptions, handler as unknown as Handler<unknown>);
  }

  /**
   * Open an outgoing connection served by `handler`. Resolves with the first open connection;
   * rejects with a coded error (`IOCP_ERR_CONNECT_REFUSED`, `IOCP_ERR_CONNECT_TIMEOUT`,
   * `IOCP_ERR_CONNECT`, `IOCP_ERR_TLS`) when the attempt fails and reconnect is off or exhausted.
   * With `reconnect`, later connections reuse the handler; each gets a new handle.
   */
  async connect<O = unknown, In = Buffer, Out = Uint8Array>(
    options: ConnectOptions<In, Out>,
    handler: Handler<O, In, Out>,
  ): Promise<Connection<O, Out>> {
    return this.#core.connect(
      options as unknown as ConnectOptions,
      handler as unknown as Handler<unknown>,
    ) as unknown as Promise<Connection<O, Out>>;
  }

  /**
   * Queue `msg` (of the connection's codec's `Out` type) on the connection named by `handle`.
   * False for a stale or closed handle: it never reaches another peer.
   */
  send<Out = Uint8Array>(handle: number, msg: Out): boolean {
    const conn = this.#core.table.get(handle);
    return conn === undefined ? false : conn.send(msg);
  }

  /**
   * The live connection named by `handle`, or undefined when it closed (or never existed).
   * `Owner`/`Out` are the caller's claim about that connection's listener (not checked).
   */
  connection<Owner = unknown, Out = Uint8Array>(handle: number): Connection<Owner, Out> | undefined {
    return this.#core.table.get(handle) as Connection<Owner, Out> | undefined;
  }

  /** A snapshot of the counters. */
  stats(): PortStats {
    return this.#core.stats();
  }

  /**
   * Stop accepting and connecting, let every connection finish the frames it already received
   * and flush its queued sends, end the sockets; after `drainMs` (default 5000) drop whatever is
   * left. Resolves when every connection has closed. Reason: `shutdown`.
   */
  close(options?: { drainMs?: number | undefined }): Promise<void> {
    return this.#core.close(options);
  }
}

/** The port's state; kept off the public class so internals stay private. */
class Core implements PortCore, SessionHost, GateHost<ListenerEntry> {
  readonly pool = new OutPool();
  readonly table = new HandleTable<ConnectionImpl>();
  readonly listeners = new Set<ListenerEntry>();
  readonly sessions = new Set<ClientSession>();
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  writeCalls = 0;
  queued = 0;
  queuedPeak = 0;
  connectionQueuedPeak = 0;
  accepted = 0;
  connected = 0;
  proxied = 0;
  proxyLocalCount = 0;
  readonly refused: Record<string, number> = {};
  readonly closed: Partial<Record<CloseReason, number>> = {};
  closing = false;
  readonly budget: MemoryBudget;

  private readonly perIp = new Map<string, number>();
  private readonly bucket: TokenBucket | undefined;
  private dirty: SendQueue[] = [];
  private spare: SendQueue[] = [];
  private flushScheduled = false;
  private readonly flushAllBound = () => this.flushAll();
  private sweepTimer: NodeJS.Timeout | undefined = undefined;
  private sweepMs: number;
  private closePromise: Promise<void> | undefined = undefined;
  private emptyWaiters: (() => void)[] = [];
  /** Sockets of `proxyProtocol` listeners waiting for their header (deadline: first-data or handshake, the shorter). */
  private readonly gate: ProxyGate<ListenerEntry>;

  constructor(readonly opts: ResolvedPortOptions) {
    const rate = opts.maxConnectionsPerSecond;
    this.bucket = Number.isFinite(rate) ? new TokenBucket(rate, Math.max(1, rate)) : undefined;
    const enabled = [opts.firstDataMs, opts.idleMs, opts.writeStallMs, opts.heartbeatIntervalMs, opts.handshakeMs, opts.closeMs].filter(
      (v) => v > 0,
    );
    this.sweepMs = Core.periodFor(Math.min(...enabled));
    this.gate = new ProxyGate(this, opts.firstDataMs > 0 ? Math.min(opts.firstDataMs, opts.handshakeMs) : opts.handshakeMs);
    this.budget = new MemoryBudget(opts.maxBufferedBytes, opts.highWaterMark, this, (visit) => this.visitConnections(visit), nowMs);
  }

  /** Every open connection, in slot order (the budget's scans). */
  private visitConnections(visit: (m: BudgetMember) => void): void {
    const t = this.table;
    const n = t.extent;
    for (let slot = 0; slot < n; slot++) {
      const c = t.at(slot);
      if (c !== undefined) visit(c);
    }
  }

  private static periodFor(ms: number): number {
    return Math.max(SWEEP_MIN_MS, Math.min(SWEEP_MAX_MS, Math.floor(ms / 4)));
  }

  // ---------------------------------------------------------------- listen / accept

  async listen(options: ListenOptions, handler: Handler<unknown>): Promise<Listener> {
    if (this.closing) throw new PortClosedError('cannot listen: completion port is closed');
    checkListenOptions(options);
    const proxy = resolveProxyProtocol(options.proxyProtocol);
    checkHandler(handler);
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 0;
    let secureContext: SecureContext | undefined;
    let tlsOptions: TlsOptions | undefined;
    if (options.tls !== undefined) {
      try {
        secureContext = createSecureContext(options.tls);
      } catch (cause) {
        throw new InvalidOptionError(`tls: cannot load certificate/key: ${(cause as Error).message}`, { cause });
      }
      tlsOptions = options.tls;
    }
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error & { code?: string }) => {
        reject(new ListenError(`cannot listen on ${host}:${port}: ${cause.code ?? cause.message}`, { cause }));
      };
      server.once('error', onError);
      server.listen({ host, port, backlog: options.backlog ?? DEFAULT_BACKLOG, ipv6Only: options.ipv6Only ?? false }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    if (this.closing) {
      // port.close() ran while we were binding: do not leave a listener behind.
      server.close();
      throw new PortClosedError('cannot listen: completion port closed while binding');
    }
    // Accept errors (EMFILE ...) must not crash the process; the listener keeps going.
    server.on('error', (e) => this.reportError(e));
    const addr = server.address() as AddressInfo;
    const family = addr.family === 'IPv6' ? 'IPv6' : 'IPv4';
    const codec = options.codec;
    const frameMax = codecMaxFrame(codec);
    const maxBytes = Math.max(this.opts.maxBytes, frameMax);
    const entry: ListenerEntry = {
      host: addr.address,
      port: addr.port,
      family,
      address: formatEndpoint(addr.address, addr.port),
      server,
      handler,
      secureContext,
      tlsOptions,
      profile: connectionProfile('server', secureContext !== undefined, codec, handler, maxBytes),
      proxy,
      close: () => {
        this.listeners.delete(entry);
        return new Promise<void>((resolve) => {
          if (!server.listening) {
            resolve();
            return;
          }
          // server.close's callback waits for every accepted socket; "stopped accepting" is what we promise.
          server.close();
          setImmediate(resolve);
        });
      },
    };
    server.on('connection', (socket: Socket) => this.accept(entry, socket));
    this.listeners.add(entry);
    return entry;
  }

  private refuse(socket: Socket, reason: RefuseReason): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    this.closed.rejected = (this.closed.rejected ?? 0) + 1;
    socket.on('error', noop);
    // RST rather than FIN: a refused flood leaves no TIME_WAIT state behind on this side.
    socket.resetAndDestroy();
  }

  /** Admission control: the reason to refuse this peer, or undefined to accept. */
  private admit(entry: ListenerEntry, socket: Socket, address: string, family: 'ipv4' | 'ipv6', header: ProxyHeader | undefined): RefuseReason | undefined {
    const o = this.opts;
    if (this.closing || !this.listeners.has(entry)) return 'shutdown';
    if (o.deny?.check(address, family) === true) return 'deny';
    if (o.allow !== undefined && !o.allow.check(address, family)) return 'allow';
    if (this.table.size >= o.maxConnections) return 'max-connections';
    if (this.budget.pressure) return 'memory-budget';
    if (Number.isFinite(o.maxConnectionsPerIp) && (this.perIp.get(address) ?? 0) >= o.maxConnectionsPerIp) return 'per-ip';
    if (this.bucket !== undefined && !this.bucket.take()) return 'rate';
    const h = entry.handler;
    if (h.onAccept === undefined) return undefined;
    try {
      const client = header?.sourceAddress !== undefined;
      const peer: PeerInfo = {
        remoteAddress: client ? header.sourceAddress! : (socket.remoteAddress ?? ''),
        remotePort: client ? header.sourcePort! : (socket.remotePort ?? 0),
        remoteFamily: client ? (header.family as 'IPv4' | 'IPv6') : socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4',
        localAddress: socket.localAddress ?? '',
        localPort: socket.localPort ?? 0,
      };
      return h.onAccept(peer) === false ? 'hook' : undefined;
    } catch (e) {
      this.reportError(e);
      return 'hook';
    }
  }

  private accept(entry: ListenerEntry, socket: Socket): void {
    if (entry.proxy === undefined) {
      this.openAccepted(entry, socket, undefined);
      return;
    }
    // The header comes first; admission control waits for the client address it names. Sockets
    // waiting for it count against maxConnections.
    if (this.closing || !this.listeners.has(entry)) this.refuse(socket, 'shutdown');
    else if (this.table.size + this.gate.size >= this.opts.maxConnections) this.refuse(socket, 'max-connections');
    else {
      this.gate.accept(entry, socket, entry.proxy, nowMs());
      this.ensureSweep();
    }
  }

  admitProxied(entry: ListenerEntry, socket: Socket, header: ProxyHeader | undefined): void {
    const conn = this.openAccepted(entry, socket, header);
    // The gate paused the socket to hand back the bytes after the header; a TLS socket reads
    // them itself when it wraps the socket.
    if (conn !== undefined && !conn.encrypted) socket.resume();
  }

  proxyFailed(entry: ListenerEntry, peer: PeerInfo, error: ProxyHeaderError): void {
    this.closed['proxy-header'] = (this.closed['proxy-header'] ?? 0) + 1;
    const h = entry.handler.onProxyHeaderError;
    if (h === undefined) return;
    try {
      h(peer, error);
    } catch (e) {
      this.reportError(e);
    }
  }

  proxyLocal(): void {
    this.proxyLocalCount++;
  }

  /** Admission control, then the connection (TLS handshake first on a TLS listener). */
  private openAccepted(entry: ListenerEntry, socket: Socket, header: ProxyHeader | undefined): ConnectionImpl | undefined {
    const o = this.opts;
    const h = entry.handler;
    let address = '';
    let family: 'ipv4' | 'ipv6' = 'ipv4';
    if (header?.sourceAddress !== undefined) {
      ({ address, family } = normalizeAddress(header.sourceAddress));
    } else if (o.deny !== undefined || o.allow !== undefined || Number.isFinite(o.maxConnectionsPerIp) || h.onAccept !== undefined) {
      // Only look the peer address up when a rule needs it: Node caches it on the socket, which
      // costs memory on every idle connection.
      const raw = socket.remoteAddress;
      if (raw === undefined) {
        // Already gone (reset before we saw it).
        socket.on('error', noop);
        socket.destroy();
        return undefined;
      }
      ({ address, family } = normalizeAddress(raw));
    }
    const refused = this.admit(entry, socket, address, family, header);
    if (refused !== undefined) {
      this.refuse(socket, refused);
      return undefined;
    }
    this.accepted++;
    let conn: ConnectionImpl;
    if (entry.secureContext !== undefined) {
      const tlsSocket = new TLSSocket(socket, {
        ...entry.tlsOptions,
        isServer: true,
        secureContext: entry.secureContext,
        // tls.createServer's default; a bare TLSSocket would otherwise treat it as false
        rejectUnauthorized: entry.tlsOptions?.rejectUnauthorized ?? true,
      });
      const deadline = o.firstDataMs > 0 ? Math.min(o.firstDataMs, o.handshakeMs) : o.handshakeMs;
      conn = new ConnectionImpl(this, tlsSocket, entry.profile, deadline);
      tlsSocket.once('secure', onServerSecure);
    } else {
      conn = new ConnectionImpl(this, socket, entry.profile, o.handshakeMs);
    }
    if (Number.isFinite(o.maxConnectionsPerIp)) {
      conn.ipKey = address;
      this.perIp.set(address, (this.perIp.get(address) ?? 0) + 1);
    }
    if (header !== undefined) {
      conn.setProxyHeader(header);
      if (header.sourceAddress !== undefined) this.proxied++;
    }
    this.register(conn);
    if (entry.secureContext === undefined) conn.markOpen();
    return conn;
  }

  private register(conn: ConnectionImpl): void {
    conn.handle = this.table.add(conn);
    this.ensureSweep();
  }

  // ---------------------------------------------------------------- connect

  async connect(options: ConnectOptions, handler: Handler<unknown>): Promise<Connection> {
    if (this.closing) throw new PortClosedError('cannot connect: completion port is closed');
    const resolved = resolveConnectOptions(options);
    checkHandler(handler);
    const period = Core.periodFor(resolved.connectTimeoutMs);
    if (period < this.sweepMs) {
      this.sweepMs = period;
      this.restartSweep();
    }
    const session = new ClientSession(this, options, resolved, handler);
    this.sessions.add(session);
    return session.start();
  }

  createClientConnection(
    socket: Socket,
    options: ConnectOptions,
    handler: Handler<unknown>,
    encrypted: boolean,
    connectTimeoutMs: number,
  ): ConnectionImpl {
    if (this.table.size >= this.opts.maxConnections) {
      throw new MaxConnectionsError(`cannot connect: limits.maxConnections (${this.opts.maxConnections}) reached`);
    }
    const maxBytes = Math.max(this.opts.maxBytes, codecMaxFrame(options.codec));
    const profile = connectionProfile('client', encrypted, options.codec, handler, maxBytes);
    const conn = new ConnectionImpl(this, socket, profile, connectTimeoutMs);
    conn.target = formatEndpoint(options.host, options.port);
    this.register(conn);
    return conn;
  }

  sessionEnded(session: ClientSession): void {
    this.sessions.delete(session);
  }

  // ---------------------------------------------------------------- PortCore

  markDirty(queue: SendQueue): void {
    queue.dirty = true;
    this.dirty.push(queue);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAllBound);
    }
  }

  private flushAll(): void {
    this.flushScheduled = false;
    const list = this.dirty;
    this.dirty = this.spare;
    this.spare = list;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.dirty) c.flush();
    }
    list.length = 0;
    this.pool.recycle();
  }

  connectionOpened(conn: ConnectionImpl): void {
    if (conn.side === 'client') this.connected++;
  }

  connectionClosed(conn: ConnectionImpl): void {
    this.table.remove(conn.handle);
    const reason = conn.closeReason ?? 'reset';
    this.closed[reason] = (this.closed[reason] ?? 0) + 1;
    if (conn.ipKey !== undefined) {
      const n = (this.perIp.get(conn.ipKey) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(conn.ipKey);
      else this.perIp.set(conn.ipKey, n);
    }
    if (this.table.size === 0) {
      if (this.gate.size === 0) this.stopSweep();
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const w of waiters) w();
    }
  }

  reportError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    process.emitWarning(`@iocp/transport: ${e.message}`, { code: 'IOCP_WARN_CALLBACK', detail: e.stack });
  }

  // ---------------------------------------------------------------- watchdog

  private ensureSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepMs);
    this.sweepTimer.unref();
  }

  private restartSweep(): void {
    if (this.sweepTimer === undefined) return;
    this.stopSweep();
    this.ensureSweep();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  private sweep(): void {
    const now = nowMs();
    const t = this.table;
    const n = t.extent;
    for (let slot = 0; slot < n; slot++) {
      const c = t.at(slot);
      if (c !== undefined) c.tick(now);
    }
    this.gate.sweep(now);
    this.budget.sweep();
    if (t.size === 0 && this.gate.size === 0) this.stopSweep();
  }

  // ---------------------------------------------------------------- stats / close

  stats(): PortStats {
    return {
      connections: {
        current: this.table.size,
        accepted: this.accepted,
        connected: this.connected,
        proxied: this.proxied,
        proxyLocal: this.proxyLocalCount,
        refused: { ...this.refused },
        closed: { ...this.closed },
      },
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      writeCalls: this.writeCalls,
      queuedBytes: this.queued,
      queuedBytesPeak: this.queuedPeak,
      connectionQueuedBytesPeak: this.connectionQueuedPeak,
      memory: this.budget.stats(),
    };
  }

  close(options?: { drainMs?: number | undefined }): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    const drainMs = options?.drainMs ?? 5000;
    if (typeof drainMs !== 'number' || !(drainMs >= 0) || !Number.isFinite(drainMs)) {
      return Promise.reject(new InvalidOptionError(`drainMs must be a finite number >= 0, got ${String(drainMs)}`));
    }
    this.closing = true;
    for (const l of [...this.listeners]) void l.close();
    for (const s of [...this.sessions]) s.stop();
    this.gate.closeAll((socket) => this.refuse(socket, 'shutdown'));
    const conns: ConnectionImpl[] = [];
    for (let slot = 0; slot < this.table.extent; slot++) {
      const c = this.table.at(slot);
      if (c !== undefined) conns.push(c);
    }
    for (const c of conns) c.shutdown();
    this.closePromise = new Promise<void>((resolve) => {
      if (this.table.size === 0) {
        resolve();
        return;
      }
      const deadline = setTimeout(() => {
        for (let slot = 0; slot < this.table.extent; slot++) this.table.at(slot)?.abort('shutdown', undefined);
      }, drainMs);
      this.emptyWaiters.push(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
    return this.closePromise;
  }
}

function onServerSecure(this: TLSSocket): void {
  // With requestCert, rejectUnauthorized (default true here, as in tls.createServer) makes
  // OpenSSL fail the handshake for a missing or untrusted client certificate, so reaching
  // 'secure' means the peer is verified.
  connectionOf(this)?.markOpen();
}

function checkHandler(handler: unknown): void {
  if (handler === null || typeof handler !== 'object') throw new InvalidOptionError('handler must be an object of callbacks');
  for (const k of ['onAccept', 'onOpen', 'onMessage', 'onMessageParts', 'onDrain', 'onEnd', 'onFrameError', 'onClose']) {
    const v = (handler as Record<string, unknown>)[k];
    if (v !== undefined && typeof v !== 'function') throw new InvalidOptionError(`handler.${k} must be a function`);
  }
}
