import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions as TlsConnectOptions } from 'node:tls';
import { checkServerIdentity } from '../check-server-identity.js';
import { ConnectError, PortClosedError } from '../errors.js';
import type { CloseReason, ConnectOptions, Connection, Handler } from '../types.js';
import { backoffDelay } from './backoff.js';
import { type ClientLink, type ConnectionImpl, connectionOf } from './connection-impl.js';
import type { ResolvedConnectOptions } from './options.js';
import { encodeProxyHeader } from './proxy-protocol.js';

/** What a session needs from the port. */
export interface SessionHost {
  readonly closing: boolean;
  /** Wrap a connecting socket in a registered connection (throws when the port is full). */
  createClientConnection(socket: Socket, options: ConnectOptions, handler: Handler<unknown>, encrypted: boolean, connectTimeoutMs: number): ConnectionImpl;
  sessionEnded(session: ClientSession): void;
}

/**
 * The client side of one `port.connect()` call: makes attempts, resolves the caller's promise
 * with the first open connection, and — with `reconnect` — makes a new attempt after a failed
 * attempt or a lost connection, with capped exponential backoff and jitter. Each attempt is its
 * own connection with its own handle; the handler is shared.
 */
export class ClientSession implements ClientLink {
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private stopped = false;
  private current: ConnectionImpl | undefined = undefined;
  private resolveFirst: ((conn: Connection) => void) | undefined = undefined;
  private rejectFirst: ((error: Error) => void) | undefined = undefined;
  private readonly attemptBound = () => this.attempt();

  constructor(
    private readonly host: SessionHost,
    private readonly options: ConnectOptions,
    private readonly resolved: ResolvedConnectOptions,
    private readonly handler: Handler<unknown>,
  ) {}

  /** Make the first attempt; the promise settles with the first open connection or the final failure. */
  start(): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
      this.attempt();
    });
  }

  /** Stop reconnecting (port closing). The open connection, if any, is closed by the port. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.current === undefined) this.finish(new PortClosedError('completion port closed while connecting'));
  }

  onOpened(conn: ConnectionImpl): void {
    this.attempts = 0;
    if (this.resolveFirst !== undefined) {
      const resolve = this.resolveFirst;
      this.resolveFirst = undefined;
      this.rejectFirst = undefined;
      resolve(conn);
    }
  }

  onClosed(conn: ConnectionImpl, reason: CloseReason, error: Error | undefined): void {
    if (this.current === conn) this.current = undefined;
    const r = this.resolved.reconnect;
    if (this.stopped || this.host.closing || reason === 'local' || reason === 'shutdown') {
      this.finish(error ?? new PortClosedError('connection closed before it opened'));
      return;
    }
    if (r !== false && this.attempts < r.maxAttempts) {
      const delay = backoffDelay(this.attempts, r.initialDelayMs, r.maxDelayMs);
      this.attempts++;
      this.timer = setTimeout(this.attemptBound, delay);
      return;
    }
    this.finish(error ?? new ConnectError(`connection to ${this.options.host}:${this.options.port} failed (${reason})`));
  }

  private attempt(): void {
    this.timer = undefined;
    if (this.stopped || this.host.closing) {
      this.finish(new PortClosedError('completion port closed while connecting'));
      return;
    }
    const o = this.options;
    const tlsOpt = o.tls;
    let socket: Socket;
    const encrypted = tlsOpt !== undefined && tlsOpt !== false;
    const proxy = this.resolved.proxyHeader;
    try {
      // With proxyProtocol the header is the first write on the TCP socket, before any TLS byte:
      // a write before connect is queued and leaves first, on 'connect'.
      let tcp: Socket | undefined;
      if (proxy !== undefined) {
        tcp = netConnect({ host: o.host, port: o.port, allowHalfOpen: true, noDelay: true });
        tcp.write(encodeProxyHeader(proxy));
      }
      if (encrypted) {
        const extra: TlsConnectOptions = typeof tlsOpt === 'object' ? tlsOpt : {};
        const servername = extra.servername ?? (isIP(o.host) === 0 ? o.host : undefined);
        // checkServerIdentity: Node 22's own refuses every IPv6 literal (see check-server-identity.ts).
        socket = tlsConnect({
          ...extra,
          checkServerIdentity: extra.checkServerIdentity ?? checkServerIdentity,
          host: o.host,
          port: o.port,
          servername,
          allowHalfOpen: true,
          ...(tcp !== undefined ? { socket: tcp } : {}),
        } as TlsConnectOptions);
        socket.once('secureConnect', onSecureConnect);
      } else {
        socket = tcp ?? netConnect({ host: o.host, port: o.port, allowHalfOpen: true, noDelay: true });
        socket.once('connect', onConnect);
      }
    } catch (cause) {
      // e.g. an unparsable `ca` or `cert` in the TLS options
      this.finish(new ConnectError(`cannot connect to ${o.host}:${o.port}: ${(cause as Error).message}`, { cause }));
      return;
    }
    let conn: ConnectionImpl;
    try {
      conn = this.host.createClientConnection(socket, o, this.handler, encrypted, this.resolved.connectTimeoutMs);
    } catch (e) {
      socket.destroy();
      this.finish(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    conn.link = this;
    this.current = conn;
  }

  private finish(error: Error): void {
    this.stopped = true;
    if (this.rejectFirst !== undefined) {
      const reject = this.rejectFirst;
      this.resolveFirst = undefined;
      this.rejectFirst = undefined;
      reject(error);
    }
    this.host.sessionEnded(this);
  }
}

function onConnect(this: Socket): void {
  connectionOf(this)?.markOpen();
}

function onSecureConnect(this: Socket): void {
  connectionOf(this)?.markOpen();
}
