import type { Socket } from 'node:net';
import { ProxyHeaderError } from '../errors.js';
import type { PeerInfo, ProxyHeader } from '../types.js';
import { normalizeAddress } from './classify.js';
import type { ResolvedProxyProtocol } from './options.js';
import { HEADER, NEED_MORE, ProxyHeaderReader } from './proxy-protocol.js';

/** What the gate needs from the port. */
export interface GateHost<L> {
  /** The header was read (or is optional and absent): admission control on the real client, then the connection. */
  admitProxied(listener: L, socket: Socket, header: ProxyHeader | undefined): void;
  /** The header was refused: count it and tell the listener's handler. The socket is already destroyed. */
  proxyFailed(listener: L, peer: PeerInfo, error: ProxyHeaderError): void;
  /** A LOCAL header (health check): count it. The socket is being closed. */
  proxyLocal(listener: L): void;
}

/** Property under which a waiting socket points at its {@link PendingHeader} (shared listeners, no closures). */
const PENDING = Symbol('iocp.proxyHeader');
type WaitingSocket = Socket & { [PENDING]?: PendingHeader<unknown> };

function onData(this: WaitingSocket, chunk: Buffer): void {
  this[PENDING]?.data(chunk);
}
function onEnd(this: WaitingSocket): void {
  this[PENDING]?.fail(undefined);
}
function onError(this: WaitingSocket): void {
  // The socket is going away ('close' follows); the failure is reported there.
}
function onClose(this: WaitingSocket): void {
  this[PENDING]?.fail(undefined);
}

function peerOf(socket: Socket): PeerInfo {
  return {
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    remoteFamily: socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4',
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
  };
}

/** One accepted socket of a `proxyProtocol` listener whose header has not arrived yet. */
class PendingHeader<L> {
  readonly reader: ProxyHeaderReader;
  /** The peer as the socket sees it (read before the socket can go away). */
  readonly peer: PeerInfo;

  constructor(
    readonly gate: ProxyGate<L>,
    readonly listener: L,
    readonly socket: Socket,
    config: ResolvedProxyProtocol,
    readonly since: number,
  ) {
    this.reader = new ProxyHeaderReader(config.versions, config.maxHeaderBytes, config.required);
    this.peer = peerOf(socket);
  }

  data(chunk: Buffer): void {
    let r: number;
    try {
      r = this.reader.push(chunk);
    } catch (e) {
      this.fail(e as ProxyHeaderError);
      return;
    }
    if (r === NEED_MORE) return;
    this.detach();
    const s = this.socket;
    // Hand the bytes after the header back to the stream: the TLS layer or the codec reads them
    // first. Paused so nothing flows before the connection's own listener is attached.
    s.pause();
    if (this.reader.rest !== undefined) s.unshift(this.reader.rest);
    const header = r === HEADER ? this.reader.header : undefined;
    if (header?.command === 'local') {
      // The balancer's own connection (a health check): accepted, then closed; never the app's.
      this.gate.host.proxyLocal(this.listener);
      s.on('error', noop);
      s.destroySoon();
      return;
    }
    this.gate.host.admitProxied(this.listener, s, header);
  }

  /** Optional header, trusted peer, nothing sent by the deadline: serve it as a direct client. */
  timeoutAsDirect(): void {
    if (!this.detach()) return;
    this.socket.pause();
    this.gate.host.admitProxied(this.listener, this.socket, undefined);
  }

  /** Port closing: stop waiting and let the port drop the socket. */
  drop(onDropped: (socket: Socket) => void): void {
    if (this.detach()) onDropped(this.socket);
  }

  /** Refuse: `error` says why; undefined = the stream ended or the socket closed first. */
  fail(error: ProxyHeaderError | undefined): void {
    if (!this.detach()) return;
    const e = error ?? this.reader.truncated();
    this.socket.on('error', noop);
    this.socket.destroy();
    this.gate.host.proxyFailed(this.listener, this.peer, e);
  }

  /** Stop waiting; false when already done. */
  private detach(): boolean {
    const s = this.socket as WaitingSocket;
    if (s[PENDING] !== this) return false;
    s[PENDING] = undefined;
    s.removeListener('data', onData);
    s.removeListener('end', onEnd);
    s.removeListener('error', onError);
    s.removeListener('close', onClose);
    this.gate.pending.delete(this as PendingHeader<unknown>);
    return true;
  }
}

function noop(): void {}

/**
 * The port's accepted sockets on `proxyProtocol` listeners whose header is not in yet. Bounded:
 * the port counts them against `limits.maxConnections`, each holds at most one header
 * (`maxHeaderBytes`), and the watchdog's sweep drops those past the deadline.
 */
export class ProxyGate<L> {
  readonly pending = new Set<PendingHeader<unknown>>();

  constructor(
    readonly host: GateHost<L>,
    /** Deadline for a whole header, in ms. */
    private readonly deadlineMs: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * A socket accepted on a listener with `config`. An untrusted peer is refused at once when the
   * header is required, and admitted as a direct client (nothing read as a header) when not.
   */
  accept(listener: L, socket: Socket, config: ResolvedProxyProtocol, now: number): void {
    const raw = socket.remoteAddress;
    if (raw === undefined) {
      // Already gone (reset before we saw it).
      socket.on('error', noop);
      socket.destroy();
      return;
    }
    const { address, family } = normalizeAddress(raw);
    if (!config.trusted.check(address, family)) {
      if (!config.required) {
        this.host.admitProxied(listener, socket, undefined);
        return;
      }
      const peer = peerOf(socket);
      socket.on('error', noop);
      socket.destroy();
      this.host.proxyFailed(listener, peer, new ProxyHeaderError(`PROXY header: ${address} is not a trusted proxy (proxyProtocol.trusted)`));
      return;
    }
    const p = new PendingHeader(this, listener, socket, config, now);
    const s = socket as WaitingSocket;
    s[PENDING] = p as PendingHeader<unknown>;
    this.pending.add(p as PendingHeader<unknown>);
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('error', onError);
    s.on('close', onClose);
  }

  /** The watchdog's sweep: refuse headers past the deadline. */
  sweep(now: number): void {
    if (this.pending.size === 0) return;
    for (const p of this.pending) {
      if (now - p.since < this.deadlineMs) continue;
      if (!p.reader.required && p.reader.bufferedBytes === 0) {
        // Optional header and a trusted peer that sent nothing: serve it as a direct client.
        p.timeoutAsDirect();
        continue;
      }
      const have = p.reader.bufferedBytes;
      p.fail(new ProxyHeaderError(`PROXY header: not complete within ${this.deadlineMs} ms (${have} bytes received)`));
    }
  }

  /** Port closing: drop every socket still waiting. */
  closeAll(onDropped: (socket: Socket) => void): void {
    for (const p of [...this.pending]) p.drop(onDropped);
  }
}
