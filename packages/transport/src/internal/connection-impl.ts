import { Socket } from 'node:net';
import { type Codec, type Decoder, type Encoder, FrameParts } from '@iocp/framing';
import {
  ConnectError,
  ConnectRefusedError,
  ConnectTimeoutError,
  ConnectionResetError,
  FirstDataTimeoutError,
  HandlerError,
  HeartbeatTimeoutError,
  IdleTimeoutError,
  SendQueueOverflowError,
  TlsError,
  WriteTimeoutError,
} from '../errors.js';
import type { MemoryBudgetError } from '../errors.js';
import type { CloseReason, Connection, Handler, ProxyHeader } from '../types.js';
import type { BudgetMember } from './memory-budget.js';
import { formatEndpoint } from '../endpoint.js';
import { frameErrorReason, isTlsLayerError } from './classify.js';
import { type FrameSource, createFrameSource } from './frame-source.js';
import type { PortCore } from './port-core.js';
import { SendQueue, type SendOwner } from './send-queue.js';

/** Connecting (client) or TLS handshake in progress (server). */
const CONNECTING = 0;
const OPEN = 1;
/** Close started: no more frames delivered or sends accepted; waiting for the socket to close. */
const CLOSING = 2;
const CLOSED = 3;

const EV_OPEN = 0;
const EV_MESSAGE = 1;
const EV_DRAIN = 2;
const EV_END = 3;
const EV_PARTS = 4;
const EV_FRAME_ERROR = 5;

/** Bits of `activity`, collected between watchdog sweeps (no clock read per event). */
const READ = 1;
const WROTE = 2;

/**
 * Bits of `flags`: the connection's yes/no state in one small integer instead of a field (a
 * word) each. Read and written through the accessors of the same names.
 */
const BUSY = 1 << 0;
const RUNNING = 1 << 1;
const PENDING_OPEN = 1 << 2;
const PENDING_DRAIN = 1 << 3;
const CLOSE_DELIVERED = 1 << 4;
const END_DELIVERED = 1 << 5;
const APP_PAUSED = 1 << 6;
const SOCKET_PAUSED = 1 << 7;
const READ_ENDED = 1 << 8;
const SHUTDOWN_REQUESTED = 1 << 9;
const GOT_DATA = 1 << 10;
const FRAME_ERROR_DELIVERED = 1 << 11;
const BUDGET_PAUSED = 1 << 12;

/** Property under which a socket points back at its connection (shared listeners, no closures). */
const CONN = Symbol('iocp.connection');

type OwnedSocket = Socket & { [CONN]?: ConnectionImpl };

/** The connection a socket belongs to (for listeners shared by all sockets). */
export function connectionOf(socket: Socket): ConnectionImpl | undefined {
  return (socket as OwnedSocket)[CONN];
}

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[CONN]!.onData(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this[CONN]!.onEnd();
}
function onSocketEndAfterNode(this: OwnedSocket): void {
  (nodeEndListener as (this: Socket) => void).call(this);
  this[CONN]!.onEnd();
}

/**
 * The 'end' listener every net.Socket adds to itself (one function shared by all sockets), or
 * null when a fresh socket has none or several; undefined until first needed.
 */
let nodeEndListener: ((...args: unknown[]) => void) | null | undefined;

/**
 * Listen to 'end' without giving the socket a second 'end' listener: Node stores one listener
 * as the function itself but two as an array (about 90 bytes per connection). When the socket's
 * only 'end' listener is Node's own, ours takes its place and calls it first: the same calls in
 * the same order. Otherwise (a TLS client while connecting, another Node version) it is simply
 * added.
 */
function listenEnd(s: Socket): void {
  if (nodeEndListener === undefined) {
    const own = new Socket().listeners('end');
    nodeEndListener = own.length === 1 ? (own[0] as (...args: unknown[]) => void) : null;
  }
  if (nodeEndListener !== null && s.listenerCount('end') === 1) {
    s.removeListener('end', nodeEndListener);
    if (s.listenerCount('end') === 0) {
      s.on('end', onSocketEndAfterNode);
      return;
    }
  }
  s.on('end', onSocketEnd);
}
function onSocketError(this: OwnedSocket, error: Error): void {
  this[CONN]!.onError(error);
}
function onSocketClose(this: OwnedSocket): void {
  this[CONN]!.onClosed();
}

/**
 * Monotonic milliseconds as an integer: stored in a small-integer field instead of a boxed
 * double, which keeps a few words off every connection.
 */
export function nowMs(): number {
  return Math.floor(performance.now());
}

/**
 * Bytes of started writes that the socket's libuv handle has not handed to the kernel yet, or -1
 * when unknown. It shrinks as the kernel takes them, within one long write; node:net's own
 * `socket.setTimeout` reads the same value to tell a slow write from a stuck one. TLS sockets
 * do not keep it current (it never shrinks there), so only finished writes count for them.
 */
function kernelBacklog(socket: Socket): number {
  const q = (socket as { _handle?: { writeQueueSize?: unknown } | null })._handle?.writeQueueSize;
  return typeof q === 'number' ? q : -1;
}

/** `onMessage` as the port calls it: the message is whatever the codec's decoder extracted. */
type MessageCallback = (conn: ConnectionImpl, msg: unknown) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * What every connection of one listener (or of one client attempt) has in common: made once by
 * the port and referenced by each connection instead of copied into it.
 */
export interface ConnectionProfile {
  readonly side: 'server' | 'client';
  readonly encrypted: boolean;
  readonly codec: Codec;
  readonly codecName: string;
  readonly encoder: Encoder<unknown>;
  readonly keepalive: Uint8Array | undefined;
  readonly handler: Handler<unknown>;
  /** Frames that span chunks go to `onMessageParts` as views. */
  readonly parts: boolean;
  /** Hard cap on queued bytes (`sendQueue.maxBytes`, never below the codec's largest frame). */
  readonly maxBytes: number;
}

export function connectionProfile(
  side: 'server' | 'client',
  encrypted: boolean,
  codec: Codec,
  handler: Handler<unknown>,
  maxBytes: number,
): ConnectionProfile {
  return {
    side,
    encrypted,
    codec,
    codecName: codec.name,
    encoder: codec.encoder as Encoder<unknown>,
    keepalive: codec.keepalive,
    handler,
    parts: handler.onMessageParts !== undefined,
    maxBytes,
  };
}

/**
 * The part of a connection's state that most connections never set (per-IP limit, client
 * attempts, close reason, asynchronous handlers): made the first time any of it is set.
 */
class Rare {
  /** Key for the per-IP count (server side), set by the port. */
  ipKey: string | undefined = undefined;
  /** Client session that created this attempt, if any. */
  link: ClientLink | undefined = undefined;
  /** The client target, for messages before the socket knows its peer. */
  target = '';
  reason: CloseReason | undefined = undefined;
  error: Error | undefined = undefined;
  /** Continuations of handler promises (made for the first promise, then reused). */
  settledCb: (() => void) | undefined = undefined;
  rejectedCb: ((e: unknown) => void) | undefined = undefined;
  /** The framing error that ends the connection, once the frames before it are delivered. */
  frameError: Error | undefined = undefined;
  /** When it was seen: the graceful close after it must end by `closeMs` from here. */
  frameErrorSince = 0;
  /** The PROXY header the connection started with (server side, `proxyProtocol` listeners). */
  proxy: ProxyHeader | undefined = undefined;
}

/** Per-attempt information a client connection needs. */
export interface ClientLink {
  onOpened(conn: ConnectionImpl): void;
  onClosed(conn: ConnectionImpl, reason: CloseReason, error: Error | undefined): void;
}

/**
 * One connection: the ordered dispatcher, the read path (FrameReader, pause while a handler
 * promise is pending), the lifecycle and the watchdog state. The send path is a
 * {@link SendQueue}, created on the first send and dropped again once the connection is idle.
 * Created by the port; never exposed except through the {@link Connection} view.
 */
export class ConnectionImpl implements Connection, SendOwner, BudgetMember {
  /**
   * Set by the port right after construction. No numeric initializer on purpose: a field that
   * starts as a small integer becomes a boxed-double field in every connection once one handle
   * does not fit a small integer (a slot reused 2048 times); starting undefined keeps it a
   * plain tagged field, so small handles cost nothing extra and large ones only for themselves.
   */
  handle!: number;
  owner: unknown = undefined;

  /** Deadline of the CONNECTING state (connect timeout or TLS handshake). */
  connectingMs: number;

  private state = CONNECTING;
  /**
   * Created on the first chunk, so a connection that never spoke holds no reader, and dropped
   * again by the watchdog once the connection stayed quiet for a sweep with nothing partial.
   */
  private reader: FrameSource | null = null;
  /** The stream's decoder: made with the first reader and kept across readers (one per stream). */
  private decoder: Decoder<unknown> | null = null;

  /** Dispatch and watchdog booleans (see BUSY ... FRAME_ERROR_DELIVERED). */
  private flags = 0;
  /** Rarely set state (see {@link Rare}); null until some of it is set. */
  private rare: Rare | null = null;

  /** The send path; null until the first send and again once everything sent has been written. */
  private out: SendQueue | null = null;

  // watchdog
  private activity = 0;
  private readonly openedAt: number;
  private lastRead: number;
  private lastActivity: number;
  private lastPing = 0;
  private missed = 0;
  private closingSince = 0;

  constructor(
    private readonly core: PortCore,
    readonly socket: Socket,
    private readonly profile: ConnectionProfile,
    connectingMs: number,
  ) {
    this.connectingMs = connectingMs;
    this.openedAt = nowMs();
    this.lastRead = this.openedAt;
    this.lastActivity = this.openedAt;
    const s = socket as OwnedSocket;
    s[CONN] = this;
    s.on('data', onSocketData);
    listenEnd(s);
    s.on('error', onSocketError);
    s.on('close', onSocketClose);
  }

  /** Which per-connection helpers `conn` holds right now (for tests of the memory policy). */
  static held(conn: ConnectionImpl): { reader: boolean; decoder: boolean; sendQueue: boolean } {
    return { reader: conn.reader !== null, decoder: conn.decoder !== null, sendQueue: conn.out !== null };
  }

  // ---------------------------------------------------------------- shared with the listener

  get side(): 'server' | 'client' {
    return this.profile.side;
  }
  get encrypted(): boolean {
    return this.profile.encrypted;
  }
  get codecName(): string {
    return this.profile.codecName;
  }
  get maxBytes(): number {
    return this.profile.maxBytes;
  }
  private get handler(): Handler<unknown> {
    return this.profile.handler;
  }
  private get keepalive(): Uint8Array | undefined {
    return this.profile.keepalive;
  }

  // ---------------------------------------------------------------- rarely set (in `rare`)

  private more(): Rare {
    return (this.rare ??= new Rare());
  }
  get ipKey(): string | undefined {
    return this.rare?.ipKey;
  }
  set ipKey(key: string | undefined) {
    this.more().ipKey = key;
  }
  get link(): ClientLink | undefined {
    return this.rare?.link;
  }
  set link(link: ClientLink | undefined) {
    this.more().link = link;
  }
  /** Remote address for messages; the client target before connect. */
  get target(): string {
    return this.rare?.target ?? '';
  }
  set target(target: string) {
    this.more().target = target;
  }
  private get reason(): CloseReason | undefined {
    return this.rare?.reason;
  }
  private set reason(reason: CloseReason | undefined) {
    this.more().reason = reason;
  }
  private get error(): Error | undefined {
    return this.rare?.error;
  }
  private set error(error: Error | undefined) {
    this.more().error = error;
  }
  private get settledCb(): (() => void) | undefined {
    return this.rare?.settledCb;
  }
  private set settledCb(cb: (() => void) | undefined) {
    this.more().settledCb = cb;
  }
  private get rejectedCb(): ((e: unknown) => void) | undefined {
    return this.rare?.rejectedCb;
  }
  private set rejectedCb(cb: ((e: unknown) => void) | undefined) {
    this.more().rejectedCb = cb;
  }

  // ---------------------------------------------------------------- packed booleans

  /** A handler promise is pending: the next event waits for it. */
  private get busy(): boolean {
    return (this.flags & BUSY) !== 0;
  }
  private set busy(on: boolean) {
    this.flags = on ? this.flags | BUSY : this.flags & ~BUSY;
  }
  /** run() is on the stack (re-entrant calls return at once). */
  private get running(): boolean {
    return (this.flags & RUNNING) !== 0;
  }
  private set running(on: boolean) {
    this.flags = on ? this.flags | RUNNING : this.flags & ~RUNNING;
  }
  private get pendingOpen(): boolean {
    return (this.flags & PENDING_OPEN) !== 0;
  }
  private set pendingOpen(on: boolean) {
    this.flags = on ? this.flags | PENDING_OPEN : this.flags & ~PENDING_OPEN;
  }
  private get pendingDrain(): boolean {
    return (this.flags & PENDING_DRAIN) !== 0;
  }
  private set pendingDrain(on: boolean) {
    this.flags = on ? this.flags | PENDING_DRAIN : this.flags & ~PENDING_DRAIN;
  }
  private get closeDelivered(): boolean {
    return (this.flags & CLOSE_DELIVERED) !== 0;
  }
  private set closeDelivered(on: boolean) {
    this.flags = on ? this.flags | CLOSE_DELIVERED : this.flags & ~CLOSE_DELIVERED;
  }
  private get endDelivered(): boolean {
    return (this.flags & END_DELIVERED) !== 0;
  }
  private set endDelivered(on: boolean) {
    this.flags = on ? this.flags | END_DELIVERED : this.flags & ~END_DELIVERED;
  }
  private get appPaused(): boolean {
    return (this.flags & APP_PAUSED) !== 0;
  }
  private set appPaused(on: boolean) {
    this.flags = on ? this.flags | APP_PAUSED : this.flags & ~APP_PAUSED;
  }
  private get socketPaused(): boolean {
    return (this.flags & SOCKET_PAUSED) !== 0;
  }
  private set socketPaused(on: boolean) {
    this.flags = on ? this.flags | SOCKET_PAUSED : this.flags & ~SOCKET_PAUSED;
  }
  private get readEnded(): boolean {
    return (this.flags & READ_ENDED) !== 0;
  }
  private set readEnded(on: boolean) {
    this.flags = on ? this.flags | READ_ENDED : this.flags & ~READ_ENDED;
  }
  private get shutdownRequested(): boolean {
    return (this.flags & SHUTDOWN_REQUESTED) !== 0;
  }
  private set shutdownRequested(on: boolean) {
    this.flags = on ? this.flags | SHUTDOWN_REQUESTED : this.flags & ~SHUTDOWN_REQUESTED;
  }
  private get frameError(): Error | undefined {
    return this.rare?.frameError;
  }
  private set frameError(error: Error | undefined) {
    this.more().frameError = error;
  }
  private get frameErrorSince(): number {
    return this.rare?.frameErrorSince ?? 0;
  }
  private set frameErrorSince(ms: number) {
    this.more().frameErrorSince = ms;
  }
  private get frameErrorDelivered(): boolean {
    return (this.flags & FRAME_ERROR_DELIVERED) !== 0;
  }
  private set frameErrorDelivered(on: boolean) {
    this.flags = on ? this.flags | FRAME_ERROR_DELIVERED : this.flags & ~FRAME_ERROR_DELIVERED;
  }
  /** The port's memory budget stopped reading from this connection (separate from the app's pause). */
  get budgetPaused(): boolean {
    return (this.flags & BUDGET_PAUSED) !== 0;
  }
  /** Some bytes arrived (first-data timeout). */
  private get gotData(): boolean {
    return (this.flags & GOT_DATA) !== 0;
  }
  private set gotData(on: boolean) {
    this.flags = on ? this.flags | GOT_DATA : this.flags & ~GOT_DATA;
  }

  // ---------------------------------------------------------------- BudgetMember

  get heldInput(): number {
    return this.reader === null ? 0 : this.reader.accounted;
  }

  get socketBuffered(): number {
    return this.socket.readableLength;
  }

  setBudgetPaused(on: boolean): void {
    this.flags = on ? this.flags | BUDGET_PAUSED : this.flags & ~BUDGET_PAUSED;
    this.updateFlow();
  }

  shed(error: MemoryBudgetError): void {
    if ((this.flags & BUDGET_PAUSED) !== 0) this.core.budget.behindPause -= Math.min(this.core.budget.behindPause, this.socket.readableLength);
    this.flags &= ~BUDGET_PAUSED;
    this.dropReader();
    this.abort('memory-budget', error);
  }

  /** Bring the budget's input count up to date with the reader: O(1), after every read and dispatch. */
  private syncInput(): void {
    const r = this.reader;
    if (r === null) return;
    const d = r.bufferedBytes - r.accounted;
    if (d === 0) return;
    r.accounted += d;
    const budget = this.core.budget;
    budget.input += d;
    if (d > 0) {
      budget.changed();
      if (budget.overSoft(r.accounted)) budget.pause(this);
    }
  }

  /** Forget the reader and what it held (take its bytes out of the budget). */
  private dropReader(): void {
    const r = this.reader;
    if (r === null) return;
    this.core.budget.input -= r.accounted;
    r.accounted = 0;
    this.reader = null;
  }

  // ---------------------------------------------------------------- Connection view

  get open(): boolean {
    return this.state === OPEN;
  }

  get writable(): boolean {
    return this.state === OPEN && (this.out === null || !this.out.aboveHigh);
  }

  /** Why the connection closed (or is closing); undefined while open. */
  get closeReason(): CloseReason | undefined {
    return this.reason;
  }

  get queuedBytes(): number {
    return this.out === null ? 0 : this.out.queued;
  }

  // ---------------------------------------------------------------- SendOwner

  get gone(): boolean {
    return this.state === CLOSED;
  }

  wrote(): void {
    this.activity |= WROTE;
  }

  drained(): void {
    if (this.handler.onDrain !== undefined && this.state === OPEN) {
      this.pendingDrain = true;
      this.run();
    }
  }

  overflowed(queued: number, n: number): void {
    this.abort(
      'send-queue-overflow',
      new SendQueueOverflowError(
        `send queue of ${this.describePeer()} would reach ${queued + n} bytes, over sendQueue.maxBytes ${this.maxBytes}`,
      ),
    );
  }

  send(msg: unknown): boolean {
    if (this.state !== OPEN) return false;
    return this.sendQueue().send(msg);
  }

  sendParts(frame: FrameParts): boolean {
    if (this.state !== OPEN) return false;
    return this.sendQueue().sendParts(frame);
  }

  sendRaw(bytes: Uint8Array): boolean {
    if (this.state !== OPEN) return false;
    return this.sendQueue().sendRaw(bytes);
  }

  /** The send path, made on first use (see {@link SendQueue}). */
  private sendQueue(): SendQueue {
    return (this.out ??= new SendQueue(this, this.core, this.profile.encoder));
  }

  pause(): void {
    if (this.appPaused) return;
    this.appPaused = true;
    this.updateFlow();
  }

  resume(): void {
    if (!this.appPaused) return;
    this.appPaused = false;
    this.run();
  }

  close(): void {
    if (this.state === CONNECTING) this.abort('local', undefined);
    else this.beginClose('local', undefined);
  }

  destroy(error?: Error): void {
    this.abort('local', error);
  }

  // ---------------------------------------------------------------- lifecycle (port side)

  /** Connect / handshake finished: deliver onOpen and start reading. */
  markOpen(): void {
    if (this.state !== CONNECTING) return;
    this.state = OPEN;
    const now = nowMs();
    this.lastRead = now;
    this.lastActivity = now;
    this.core.connectionOpened(this);
    if (this.link !== undefined) this.link.onOpened(this);
    if (this.handler.onOpen !== undefined) this.pendingOpen = true;
    this.run();
  }

  /** `port.close()`: finish the frames already received, flush, end. */
  shutdown(): void {
    if (this.state === CONNECTING) {
      this.abort('shutdown', undefined);
      return;
    }
    if (this.state !== OPEN) {
      if (this.reason === undefined) this.reason = 'shutdown';
      return;
    }
    this.shutdownRequested = true;
    this.run();
  }

  /** Drop the socket now (deadline of a graceful close). Keeps an earlier reason. */
  abort(reason: CloseReason, error: Error | undefined): void {
    if (this.state === CLOSED) return;
    if (this.reason === undefined) {
      this.reason = reason;
      this.error = error;
    }
    this.state = CLOSING;
    this.out?.drop();
    this.socket.destroy();
  }

  // ---------------------------------------------------------------- socket events

  onData(chunk: Buffer): void {
    this.core.bytesIn += chunk.length;
    this.activity |= READ;
    this.gotData = true;
    // After a framing error nothing more is decoded: the bytes are discarded.
    if (this.state !== OPEN || this.frameError !== undefined) return;
    try {
      (this.reader ??= this.newReader()).push(chunk);
    } catch (e) {
      this.frameFailed(e);
      return;
    }
    this.run();
  }

  onEnd(): void {
    this.readEnded = true;
    if (this.state === CONNECTING) {
      // The peer gave up during connect / TLS handshake (e.g. it rejected our certificate).
      if (this.side === 'client') {
        this.abort('connect-failed', new ConnectError(`${this.describePeer()} closed the connection while connecting`));
      } else {
        this.abort('tls-error', new TlsError(`${this.describePeer()} closed the connection during the TLS handshake`));
      }
      return;
    }
    if (this.state === CLOSING) return;
    this.run();
  }

  onError(error: Error): void {
    if (this.reason !== undefined) {
      this.error ??= error;
      return;
    }
    const code = (error as { code?: string }).code;
    if (this.state === CONNECTING) {
      if (this.encrypted && isTlsLayerError(error)) {
        this.reason = 'tls-error';
        this.error = new TlsError(`TLS handshake with ${this.describePeer()} failed: ${error.message}`, { cause: error });
      } else if (this.side === 'client') {
        this.reason = 'connect-failed';
        this.error =
          code === 'ECONNREFUSED'
            ? new ConnectRefusedError(`connection to ${this.describePeer()} refused`, { cause: error })
            : new ConnectError(`cannot connect to ${this.describePeer()}: ${code ?? error.message}`, { cause: error });
      } else {
        this.reason = 'reset';
        this.error = new ConnectionResetError(`connection from ${this.describePeer()} failed: ${code ?? error.message}`, { cause: error });
      }
      return;
    }
    if (this.encrypted && isTlsLayerError(error)) {
      this.reason = 'tls-error';
      this.error = new TlsError(`TLS error on ${this.describePeer()}: ${error.message}`, { cause: error });
      return;
    }
    this.reason = 'reset';
    this.error = new ConnectionResetError(`connection ${this.describePeer()} failed: ${code ?? error.message}`, { cause: error });
  }

  onClosed(): void {
    if (this.state === CLOSED) return;
    const was = this.state;
    this.state = CLOSED;
    if (this.reason === undefined) {
      if (was === CONNECTING) {
        this.reason = this.side === 'client' ? 'connect-failed' : this.encrypted ? 'tls-error' : 'reset';
        this.error =
          this.side === 'client'
            ? new ConnectError(`connection to ${this.describePeer()} closed before it opened`)
            : new TlsError(`${this.describePeer()} closed during the TLS handshake`);
      } else {
        this.reason = this.readEnded ? 'peer-closed' : 'reset';
      }
    }
    if (this.out !== null) {
      this.out.drop();
      this.out = null;
    }
    this.dropReader();
    this.decoder = null;
    this.core.connectionClosed(this);
    if (this.link !== undefined) this.link.onClosed(this, this.reason, this.error);
    this.run();
  }

  // ---------------------------------------------------------------- ordered dispatch

  private run(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.busy) {
        if (this.pendingOpen) {
          this.pendingOpen = false;
          this.invoke(EV_OPEN, undefined);
          continue;
        }
        if (this.frameError !== undefined) {
          // Every frame before the error has been delivered and its callback settled (the
          // reader only runs when nothing is pending): now the error, then the close below.
          if (this.state === OPEN && !this.frameErrorDelivered) {
            this.frameErrorDelivered = true;
            if (this.handler.onFrameError !== undefined) {
              this.invoke(EV_FRAME_ERROR, undefined);
              continue;
            }
          }
          break;
        }
        if (this.pendingDrain && this.state === OPEN) {
          this.pendingDrain = false;
          this.invoke(EV_DRAIN, undefined);
          continue;
        }
        if (this.state === OPEN && !this.appPaused && this.reader !== null) {
          let frame: unknown;
          try {
            frame = this.reader.nextFrame();
          } catch (e) {
            this.frameFailed(e);
            continue;
          }
          if (frame !== undefined) {
            this.core.messagesIn++;
            if (frame instanceof FrameParts) this.invoke(EV_PARTS, frame);
            else if (this.handler.onMessage !== undefined) this.invoke(EV_MESSAGE, frame);
            continue;
          }
        }
        break;
      }
    } finally {
      this.running = false;
    }
    this.syncInput();
    if (this.busy) return;
    if (this.state === CLOSED) {
      if (!this.closeDelivered) this.deliverClose();
      return;
    }
    if (this.state === OPEN) {
      if (this.frameError !== undefined) {
        // Flush what the app queued (replies to the frames before the error, its answer to
        // the error), then end.
        this.beginClose(this.reason!, this.frameError);
        return;
      }
      if (this.shutdownRequested) {
        this.beginClose('shutdown', undefined);
        return;
      }
      if (this.readEnded && !this.appPaused) {
        if (!this.endDelivered) {
          this.endDelivered = true;
          try {
            this.reader?.end();
          } catch (e) {
            this.frameFailed(e);
            return;
          }
          if (this.handler.onEnd !== undefined) {
            // A promise from onEnd keeps the write side open until it settles; run() comes back here.
            this.invoke(EV_END, undefined);
            if (this.busy || this.state !== OPEN) return;
          }
        }
        this.beginClose('peer-closed', undefined);
        return;
      }
    }
    this.updateFlow();
  }

  private invoke(kind: number, frame: unknown): void {
    const h = this.handler;
    let result: unknown;
    try {
      if (kind === EV_MESSAGE) result = (h.onMessage as MessageCallback)(this, frame);
      else if (kind === EV_PARTS) result = h.onMessageParts!(this, frame as FrameParts);
      else if (kind === EV_OPEN) result = h.onOpen?.(this);
      else if (kind === EV_DRAIN) result = h.onDrain?.(this);
      else if (kind === EV_FRAME_ERROR) result = h.onFrameError?.(this, this.frameError!);
      else result = h.onEnd?.(this);
    } catch (e) {
      this.handlerFailed(e);
      return;
    }
    if (isThenable(result)) {
      this.busy = true;
      this.updateFlow();
      this.settledCb ??= () => {
        this.busy = false;
        this.run();
      };
      this.rejectedCb ??= (e: unknown) => {
        this.busy = false;
        this.handlerFailed(e);
        this.run();
      };
      result.then(this.settledCb, this.rejectedCb);
    }
  }

  private deliverClose(): void {
    this.closeDelivered = true;
    const h = this.handler;
    if (h.onClose === undefined) return;
    try {
      h.onClose(this, this.reason!, this.error);
    } catch (e) {
      this.core.reportError(e);
    }
  }

  private handlerFailed(cause: unknown): void {
    const msg = cause instanceof Error ? cause.message : String(cause);
    // A failing onFrameError is a handler error too, not the framing error it was answering.
    if (this.state === OPEN && this.frameError !== undefined && this.error === this.frameError) this.reason = undefined;
    this.abort('handler-error', new HandlerError(`handler failed on ${this.describePeer()}: ${msg}`, { cause }));
  }

  private newReader(): FrameSource {
    this.decoder ??= this.profile.codec.createDecoder();
    return createFrameSource(this.decoder, this.profile.parts);
  }

  /**
   * The codec refused the input. Frames before the error were delivered (in order); what the
   * app queued for them still goes out: `onFrameError` (through the ordered dispatch), then a
   * graceful close with the framing reason. The reader is dropped even when it could skip the
   * frame (FrameTooLongError with a known length): a peer that sent one is not trusted further.
   */
  private frameFailed(cause: unknown): void {
    this.dropReader();
    if (this.state !== OPEN || this.frameError !== undefined) return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.frameError = error;
    this.frameErrorSince = nowMs();
    // The reason is known from now on (a reset or a deadline meanwhile keeps it).
    this.reason = frameErrorReason(cause);
    this.error = error;
    this.updateFlow();
    this.run();
  }

  /** Whether the socket should be reading right now. */
  private updateFlow(): void {
    const want =
      this.state === CLOSING ||
      (this.state === OPEN &&
        !this.busy &&
        !this.appPaused &&
        (this.flags & BUDGET_PAUSED) === 0 &&
        !this.shutdownRequested &&
        this.frameError === undefined);
    if (want) {
      if (this.socketPaused) {
        this.socketPaused = false;
        this.socket.resume();
      }
    } else if (!this.socketPaused) {
      this.socketPaused = true;
      this.socket.pause();
    }
  }

  private beginClose(reason: CloseReason, error: Error | undefined): void {
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    if (this.frameError === undefined) {
      this.reason = reason;
      this.error = error;
      this.closingSince = nowMs();
    } else {
      // After a bad frame the reason stays the framing error's (also for a conn.close() from
      // onFrameError), and the whole close is bounded by closeMs from the error.
      this.closingSince = this.frameErrorSince;
    }
    if (this.out?.dirty === true) this.out.flush();
    this.socket.end();
    // Keep reading (and discarding) so the peer's FIN is seen and the socket can close.
    this.updateFlow();
  }

  // ---------------------------------------------------------------- watchdog

  /** One watchdog sweep: fold in activity seen since the last sweep, then enforce deadlines. */
  tick(now: number): void {
    let a = this.activity;
    const out = this.out;
    if (out !== null) {
      if (out.queued === 0) {
        out.stallSince = -1;
        out.lastBacklog = -1;
      } else {
        // A long write to a slow reader finishes late, but the kernel taking part of it is progress.
        const backlog = kernelBacklog(this.socket);
        if (backlog >= 0 && backlog < out.lastBacklog) a |= WROTE;
        out.lastBacklog = backlog;
        // Write-stall clock: from the first sweep that sees bytes queued, restarted by progress.
        if ((a & WROTE) !== 0 || out.stallSince < 0) out.stallSince = now;
      }
    }
    if (a !== 0) {
      this.activity = 0;
      if ((a & READ) !== 0) {
        this.lastRead = now;
        this.missed = 0;
      }
      this.lastActivity = now;
    } else {
      // A whole sweep without traffic: the send path (nothing queued) and the read path (nothing
      // partial) go until next needed.
      if (this.out?.idle === true) this.out = null;
      if (this.reader?.idle === true) this.dropReader();
    }
    const o = this.core.opts;
    switch (this.state) {
      case CONNECTING:
        if (now - this.openedAt >= this.connectingMs) this.connectingTimedOut();
        return;
      case CLOSING:
        if (this.closingSince > 0 && now - this.closingSince >= o.closeMs) this.socket.destroy();
        return;
      case OPEN:
        break;
      default:
        return;
    }
    if (this.frameError !== undefined) {
      // onFrameError still pending: the close it holds is bounded by closeMs.
      if (now - this.frameErrorSince >= o.closeMs) this.abort(this.reason!, this.frameError);
      return;
    }
    const stallSince = this.out === null ? -1 : this.out.stallSince;
    if (o.writeStallMs > 0 && stallSince >= 0 && now - stallSince >= o.writeStallMs) {
      // Whatever the app is doing: the peer does not take what was sent.
      this.abort(
        'write-timeout',
        new WriteTimeoutError(`${this.describePeer()}: no write progress for ${o.writeStallMs} ms (${this.queuedBytes} bytes queued)`),
      );
      return;
    }
    if (this.busy || this.appPaused || (this.flags & BUDGET_PAUSED) !== 0) {
      // Reading is stopped: read silence says nothing about the peer, and a paused socket cannot
      // see a heartbeat answer.
      this.lastRead = now;
      if (this.out === null || !this.out.aboveHigh) {
        // Waiting on the app is not idleness.
        this.lastActivity = now;
        return;
      }
      // Not writable: the app is waiting on the PEER to read what it was sent (the echo pattern,
      // or a handler awaiting drain). That is the peer's silence, so idleness still counts.
      this.checkIdle(now);
      return;
    }
    if (o.firstDataMs > 0 && this.side === 'server' && !this.gotData && now - this.openedAt >= o.firstDataMs) {
      this.abort('first-data-timeout', new FirstDataTimeoutError(`${this.describePeer()} sent nothing within ${o.firstDataMs} ms`));
      return;
    }
    if (this.checkIdle(now)) return;
    if (o.heartbeatIntervalMs > 0 && now - Math.max(this.lastRead, this.lastPing) >= o.heartbeatIntervalMs) {
      if (this.missed >= o.heartbeatMaxMissed) {
        this.abort(
          'heartbeat-timeout',
          new HeartbeatTimeoutError(`${this.describePeer()} answered none of ${this.missed} keepalives`),
        );
        return;
      }
      this.missed++;
      this.lastPing = now;
      if (this.keepalive !== undefined) this.sendRaw(this.keepalive);
    }
  }

  /** Close with `idle-timeout` when neither read nor write progress was seen for `idleMs`. */
  private checkIdle(now: number): boolean {
    const idleMs = this.core.opts.idleMs;
    if (idleMs > 0 && now - this.lastActivity >= idleMs) {
      this.abort('idle-timeout', new IdleTimeoutError(`${this.describePeer()} idle for ${idleMs} ms`));
      return true;
    }
    return false;
  }

  private connectingTimedOut(): void {
    if (this.side === 'client') {
      // connectTimeoutMs covers TCP connect and the TLS handshake.
      this.abort(
        'connect-failed',
        new ConnectTimeoutError(`connecting to ${this.describePeer()} timed out after ${this.connectingMs} ms`),
      );
    } else {
      this.abort('tls-error', new TlsError(`TLS handshake with ${this.describePeer()} timed out after ${this.connectingMs} ms`));
    }
  }

  // ---------------------------------------------------------------- helpers

  private describePeer(): string {
    const address = this.remoteAddress;
    if (address === '') return this.target;
    return formatEndpoint(address, this.remotePort);
  }

  // Peer addresses are read from the socket on demand (Node caches them there), so an idle
  // connection does not carry copies. Behind a PROXY header naming a client, they are the client's.
  get remoteAddress(): string {
    return this.rare?.proxy?.sourceAddress ?? this.socket.remoteAddress ?? '';
  }
  get remotePort(): number {
    return this.rare?.proxy?.sourcePort ?? this.socket.remotePort ?? 0;
  }
  get remoteFamily(): 'IPv4' | 'IPv6' {
    const p = this.rare?.proxy;
    if (p !== undefined && p.family !== 'unspec') return p.family;
    return this.socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4';
  }
  get proxyHeader(): ProxyHeader | undefined {
    return this.rare?.proxy;
  }
  get proxyAddress(): string | undefined {
    return this.rare?.proxy?.sourceAddress === undefined ? undefined : (this.socket.remoteAddress ?? '');
  }
  get proxyPort(): number | undefined {
    return this.rare?.proxy?.sourceAddress === undefined ? undefined : (this.socket.remotePort ?? 0);
  }
  /** Set by the port right after construction when the connection started with a PROXY header. */
  setProxyHeader(header: ProxyHeader): void {
    this.more().proxy = header;
  }
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

}
