/**
 * Public types of the completion port: options, handler callbacks, the connection object,
 * listeners and the stats snapshot.
 */
import type { BlockList } from 'node:net';
import type { ConnectionOptions as TlsConnectOptions, TlsOptions } from 'node:tls';
import type { Codec, FrameParts } from '@iocp/framing';

/**
 * Why a connection closed. Stable strings, used in `onClose`, in stats and in logs.
 *
 * | reason | meaning |
 * |---|---|
 * | `peer-closed` | the peer ended cleanly (FIN) |
 * | `reset` | `ECONNRESET`, `EPIPE` or another socket error from the peer side |
 * | `local` | the app called `conn.close()` or `conn.destroy()` |
 * | `idle-timeout` | no read and no write progress for `timeouts.idleMs` |
 * | `write-timeout` | queued outgoing bytes made no write progress for `timeouts.writeStallMs` |
 * | `first-data-timeout` | the peer sent nothing for `timeouts.firstDataMs` after opening |
 * | `heartbeat-timeout` | `heartbeat.maxMissed` keepalives went unanswered |
 * | `frame-too-long` | the peer announced a frame longer than the codec allows (closed gracefully after `onFrameError`) |
 * | `frame-corrupt` | the peer sent bytes the codec cannot decode, or ended mid-frame (closed gracefully after `onFrameError`) |
 * | `send-queue-overflow` | queued outgoing bytes would have passed `sendQueue.maxBytes` |
 * | `shutdown` | `port.close()` |
 * | `rejected` | admission control refused the peer (counted, no `onClose`) |
 * | `connect-failed` | client side: refused, unreachable or connect timeout |
 * | `handler-error` | a handler threw or its promise rejected |
 * | `tls-error` | TLS handshake or verification failed |
 * | `memory-budget` | the port's memory budget shed it: one of the largest holders of partial input and queued sends (`IOCP_ERR_MEMORY_BUDGET`) |
 */
export type CloseReason =
  | 'peer-closed'
  | 'reset'
  | 'local'
  | 'idle-timeout'
  | 'write-timeout'
  | 'first-data-timeout'
  | 'heartbeat-timeout'
  | 'frame-too-long'
  | 'frame-corrupt'
  | 'send-queue-overflow'
  | 'shutdown'
  | 'rejected'
  | 'connect-failed'
  | 'handler-error'
  | 'tls-error'
  | 'memory-budget';

/** Why admission control refused a peer; the keys of `stats().connections.refused`. */
export type RefuseReason = 'deny' | 'allow' | 'max-connections' | 'per-ip' | 'rate' | 'hook' | 'shutdown' | 'memory-budget';

/** Admission control for accepted peers. Applies to every listener of the port. */
export interface PortLimits {
  /** Most open connections (server and client side together). Default `Infinity`. Beyond: refused `max-connections`. */
  maxConnections?: number | undefined;
  /** New accepted connections per second, a token bucket with a burst of one second's worth. Default `Infinity`. Beyond: refused `rate`. */
  maxConnectionsPerSecond?: number | undefined;
  /** Most open accepted connections from one remote address. Default `Infinity`. Beyond: refused `per-ip`. */
  maxConnectionsPerIp?: number | undefined;
  /** When set, only peers whose address matches are accepted; others are refused `allow`. */
  allow?: BlockList | undefined;
  /** Peers whose address matches are refused `deny`. Checked before `allow`. */
  deny?: BlockList | undefined;
  /**
   * The port's memory budget: the most bytes its peers may make it hold, over all connections —
   * partial frames and unread input in the readers plus queued sends (`Infinity` turns it off).
   * Default: a quarter of the memory this process may use (the cgroup limit from
   * `process.constrainedMemory()` when lower than `os.totalmem()`), at least 64 MiB; every port
   * gets its own, so set it when a machine runs several.
   *
   * Policy, like Redis `maxmemory-clients` (the biggest clients go first):
   * - at ¾ of it (the soft mark) the port is under pressure: new peers are refused
   *   (`memory-budget`) and reading stops on every connection holding more partial input than
   *   the floor (`max(64 KiB, sendQueue.highWaterMark)`);
   * - at the budget itself (the hard mark), or when the pressure has lasted 5 s, the largest
   *   holders (input + queued) are closed with reason `memory-budget` (`IOCP_ERR_MEMORY_BUDGET`)
   *   until the total is below ½ (the low mark) — never a connection holding less than the floor;
   * - below the low mark the pressure ends: paused connections read again, peers are accepted.
   *
   * Counted per read and per send (O(1)); only crossing a mark or a watchdog sweep under
   * pressure scans the connections. `stats().memory` shows the total, the marks and the sheds.
   */
  maxBufferedBytes?: number | undefined;
}

/** Keepalive settings: see {@link PortTimeouts.heartbeat}. */
export interface HeartbeatOptions {
  /** Send the codec's keepalive after this many ms without reading anything. */
  intervalMs: number;
  /** Close with `heartbeat-timeout` after this many keepalives in a row got no bytes back. */
  maxMissed: number;
}

/**
 * Watchdog settings. All of them are served by ONE timer for the whole port (a sweep every
 * `min(enabled timeouts) / 4` ms, clamped to 5..1000 ms), so a deadline fires up to one sweep late.
 */
export interface PortTimeouts {
  /** Close an accepted peer that sends nothing for this long after accept (slowloris). Default `0` = off. */
  firstDataMs?: number | undefined;
  /**
   * Close a connection with no read and no write progress for this long (`idle-timeout`).
   * Default `0` = off. Write progress means bytes leaving the send queue for the kernel, not
   * bytes being queued.
   *
   * Waiting on the app is not idleness: while a handler promise is pending or the app called
   * `conn.pause()`, the clock stands still — as long as the connection is `writable`. When it is
   * not (its send queue is above the high watermark), the app is waiting on the PEER to read
   * what it was sent — e.g. an echo that pauses until `onDrain`, or a handler awaiting drain —
   * and the clock runs: a peer that neither reads nor sends for `idleMs` is closed.
   */
  idleMs?: number | undefined;
  /**
   * Close a connection whose queued outgoing bytes make no write progress for this long
   * (`write-timeout`, `IOCP_ERR_WRITE_TIMEOUT`; what was queued is discarded): the peer stopped
   * reading. Default `0` = off. As in Netty's `WriteTimeoutHandler`/`IdleStateHandler`, progress
   * is bytes leaving the send queue for the kernel; queuing more is not progress. The clock
   * starts when bytes are queued, restarts on every progress and stops when the queue is empty;
   * it runs whatever the app does (paused, handler pending). On plain TCP the kernel taking part
   * of a long write counts; on TLS only a finished write does. The kernel takes more in steps
   * (Linux: once about a third of the socket's send buffer, up to a few MiB, is free again), so
   * choose a value well above the time a slow but live peer needs to read that much — seconds.
   */
  writeStallMs?: number | undefined;
  /** Send `codec.keepalive` after `intervalMs` of read silence; close after `maxMissed` unanswered. Default off. Codecs without a keepalive (raw) skip the ping but still time out. */
  heartbeat?: HeartbeatOptions | undefined;
  /** Longest a TLS handshake may take on an accepted connection before `tls-error`. Default `10_000`. */
  handshakeMs?: number | undefined;
  /**
   * After `conn.close()`, longest to wait for the peer to finish before the socket is dropped.
   * After a bad frame, longest from the error (a pending `onFrameError` included) until the
   * socket is dropped. Default `5_000`.
   */
  closeMs?: number | undefined;
}

/** Per-connection send queue bounds. */
export interface SendQueueOptions {
  /** `conn.writable` turns false when queued bytes reach this. Default 64 KiB. */
  highWaterMark?: number | undefined;
  /** `onDrain` fires when queued bytes fall to or below this after `writable` went false. Default 16 KiB. */
  lowWaterMark?: number | undefined;
  /**
   * Hard cap on queued bytes per connection (bytes waiting in this port plus bytes the socket
   * has not handed to the kernel yet). Default 4 MiB, and never below the codec's largest frame
   * plus header so a max-size frame can be echoed. Policy when a send would pass it: the
   * connection is destroyed with reason `send-queue-overflow` and `send` returns false.
   */
  maxBytes?: number | undefined;
}

/** Options of {@link CompletionPort}. Every field is optional; defaults are documented per field. */
export interface PortOptions {
  limits?: PortLimits | undefined;
  timeouts?: PortTimeouts | undefined;
  sendQueue?: SendQueueOptions | undefined;
  /**
   * Frames up to this many encoded bytes are copied into a pooled outgoing buffer; longer ones go
   * to the socket as their own buffer with only the header copied. Default 4096.
   */
  copyThreshold?: number | undefined;
}

/** TLS for one listener: PEM certificate and key, plus any other `node:tls` server option. */
export type ListenTlsOptions = { cert: string | Buffer; key: string | Buffer } & TlsOptions;

/** Options of {@link CompletionPort.listen}. */
export interface ListenOptions {
  /** Address to bind. Default `'127.0.0.1'`; `'::'` is dual stack unless `ipv6Only`. */
  host?: string | undefined;
  /** Port; `0` (default) picks a free one — read it from the returned listener. */
  port?: number | undefined;
  /** Codec for every connection of this listener: `lengthPrefixed()`, `delimiter()`, `raw()` ... */
  codec: Codec;
  /** When set, connections are TLS (`node:tls`) with this certificate and key. */
  tls?: ListenTlsOptions | undefined;
  /** Listen backlog. Default 4096 (the kernel caps it at `net.core.somaxconn`). */
  backlog?: number | undefined;
  /** With `host: '::'`, accept IPv6 only. Default false. */
  ipv6Only?: boolean | undefined;
}

/** Reconnect policy of a client connection: capped exponential backoff with jitter. */
export interface ReconnectOptions {
  /** First delay. Default 100 ms. */
  initialDelayMs?: number | undefined;
  /** Cap of the delay. Default 30 000 ms. */
  maxDelayMs?: number | undefined;
  /** Attempts after the first failure or loss; `Infinity` (default) retries until `port.close()` or `conn.close()`. */
  maxAttempts?: number | undefined;
}

/** Options of {@link CompletionPort.connect}. */
export interface ConnectOptions {
  host: string;
  port: number;
  codec: Codec;
  /** Fail the attempt with `IOCP_ERR_CONNECT_TIMEOUT` after this long. Default 10 000 ms. */
  connectTimeoutMs?: number | undefined;
  /** Reconnect after a failed attempt or a lost connection (not after `conn.close()`). Default `false`. */
  reconnect?: ReconnectOptions | false | undefined;
  /**
   * `true` = TLS verified against the system CAs (and `NODE_EXTRA_CA_CERTS`); an object passes
   * through to `tls.connect` (`ca`, `servername`, ...). Verification is on unless the object says
   * `rejectUnauthorized: false` — the explicit opt-out. Default: plain TCP.
   */
  tls?: TlsConnectOptions | boolean | undefined;
}

/** Addresses of a connection. */
export interface PeerInfo {
  remoteAddress: string;
  remotePort: number;
  remoteFamily: 'IPv4' | 'IPv6';
  localAddress: string;
  localPort: number;
}

/**
 * What the app does with connections. All callbacks are optional.
 *
 * Ordering rule: for ONE connection the callbacks never overlap and run in event order
 * (`onOpen`, then `onMessage`s and `onDrain`s, `onEnd` when the peer stops sending — or
 * `onFrameError` when it sent bytes the codec refused — then exactly one `onClose`). When a callback
 * returns a promise, later events of that connection wait until it settles, and reading from
 * that socket pauses meanwhile. Different connections run independently.
 *
 * A callback that throws, or whose promise rejects, closes only its connection with reason
 * `handler-error`.
 */
export interface Handler<Owner = unknown> {
  /** Server side only, before anything else: return false to refuse the peer (closed at once, counted as refused `hook`). */
  onAccept?: ((peer: PeerInfo) => boolean) | undefined;
  /** The connection is open (TLS handshake done). */
  onOpen?: ((conn: Connection<Owner>) => void | Promise<void>) | undefined;
  /** One decoded frame (a raw chunk with the raw codec). The Buffer is a view of received bytes; it stays valid. */
  onMessage?: ((conn: Connection<Owner>, frame: Buffer) => void | Promise<void>) | undefined;
  /**
   * Opt-in zero-copy path for large frames. When present, a frame that arrived across several
   * socket chunks (length-field codecs: `lengthPrefixed`, `lengthField`, `varintPrefixed`,
   * `hpSocketPack`) comes here as the views of those chunks — nothing copied — instead of being
   * joined into one Buffer for `onMessage`. Frames inside one chunk still go to `onMessage`.
   * Same ordering rule as `onMessage`. Forward it with `conn.sendParts(frame)` (one vectored
   * write, still no copy) or join it with `frame.toBuffer()`.
   */
  onMessageParts?: ((conn: Connection<Owner>, frame: FrameParts) => void | Promise<void>) | undefined;
  /** Queued bytes fell to the low watermark after `writable` had gone false. */
  onDrain?: ((conn: Connection<Owner>) => void | Promise<void>) | undefined;
  /**
   * The peer finished sending (FIN) and every frame it sent has been delivered. Without this
   * callback the connection then closes (`peer-closed`) once queued sends are flushed. Return a
   * promise to keep the write side open until it settles — e.g. until replies of work still in
   * flight (worker jobs) have been sent; `conn.send` keeps working meanwhile.
   */
  onEnd?: ((conn: Connection<Owner>) => void | Promise<void>) | undefined;
  /**
   * The peer sent bytes the codec refuses (`error.code`: `IOCP_ERR_FRAME_TOO_LONG`,
   * `IOCP_ERR_FRAME_CORRUPT`, `IOCP_ERR_FRAME_TRUNCATED` when it ended mid-frame, ...). Called in
   * order: after every frame before the error was delivered and its callback settled. The
   * connection is still open — `conn.send`/`sendRaw` work — so a protocol can answer
   * (`-ERR Protocol error`, a 400) before it closes. Then, whether or not this callback exists,
   * the connection closes gracefully: queued sends (replies to the earlier frames, the answer)
   * are flushed, the socket is ended, and `onClose` gets `frame-too-long` / `frame-corrupt` with
   * the framing error. Nothing after the bad frame is decoded, even when the codec could skip it.
   * A returned promise holds the close until it settles; the whole close, from the error to the
   * socket being dropped, is bounded by `timeouts.closeMs`. If it throws or rejects, the
   * connection is dropped with `handler-error`.
   */
  onFrameError?: ((conn: Connection<Owner>, error: Error) => void | Promise<void>) | undefined;
  /**
   * Called once for every connection the port created, including a client attempt that never
   * opened (`connect-failed`). `error` carries the coded cause when there is one.
   */
  onClose?: ((conn: Connection<Owner>, reason: CloseReason, error?: Error) => void) | undefined;
}

/**
 * One connection, server or client side.
 *
 * Reader side: frames arrive through `onMessage`; `pause()`/`resume()` stop and restart reading.
 * Writer side: `send`/`sendRaw` queue bytes; everything queued in one event-loop turn leaves in
 * one (vectored) write; `writable` and `onDrain` are the backpressure signal. Safe to call from
 * anywhere on the main thread; after close every method is a no-op and `send` returns false.
 */
export interface Connection<Owner = unknown> extends PeerInfo {
  /** Slot + generation (`generation * 2^20 + slot`), a safe integer. Stays unique: a closed connection's handle never names another one. */
  readonly handle: number;
  readonly side: 'server' | 'client';
  /** App data, e.g. the user after login; there in every later callback. */
  owner: Owner | undefined;
  /** True from open until the close starts. */
  readonly open: boolean;
  /** Queued bytes are below the high watermark. */
  readonly writable: boolean;
  /** Bytes queued in the port plus bytes the socket has not written yet. */
  readonly queuedBytes: number;
  /** Name of the connection's codec. */
  readonly codecName: string;
  /** True when the connection is TLS. */
  readonly encrypted: boolean;
  /** Encode with the connection's codec and queue. Returns false if NOT queued (closed, or the queue cap was hit — the connection is then closed). Throws `IOCP_ERR_ENCODE` for a frame the codec cannot encode. */
  send(frame: Uint8Array): boolean;
  /** Queue bytes as they are (no codec). Same return as `send`. */
  sendRaw(bytes: Uint8Array): boolean;
  /**
   * Encode and queue a frame held as parts (from `onMessageParts`) without joining them: the
   * codec's prefix, then the parts as they are. Same return and errors as `send`; codecs whose
   * encoder has no `encodePrefixFor` get one joined copy.
   */
  sendParts(frame: FrameParts): boolean;
  /** Stop delivering frames and reading from the socket (app-level backpressure). */
  pause(): void;
  /** Undo `pause()`. */
  resume(): void;
  /** Flush queued sends, then end; reason `local`. */
  close(): void;
  /** Drop now, discarding queued sends; reason `local`. */
  destroy(error?: Error): void;
}

/** A bound listening address. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
  /** `"127.0.0.1:7000"` or `"[::1]:7001"`. */
  readonly address: string;
  /** Stop accepting on this address; open connections stay. */
  close(): Promise<void>;
}

/** Snapshot returned by `port.stats()`. Counters are totals since the port was created. */
export interface PortStats {
  connections: {
    /** Open connections now (including TLS handshakes in progress and client attempts). */
    current: number;
    /** Peers accepted by listeners (after admission control). */
    accepted: number;
    /** Client connections that opened. */
    connected: number;
    /** Peers refused by admission control, by {@link RefuseReason}. */
    refused: Record<string, number>;
    /** Closed connections by reason. */
    closed: Partial<Record<CloseReason, number>>;
  };
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Socket write calls made (one per connection per turn with sends). */
  writeCalls: number;
  /** Bytes queued on all connections now. */
  queuedBytes: number;
  /** Highest `queuedBytes` (all connections together) seen so far. */
  queuedBytesPeak: number;
  /** Highest queued bytes of a single connection seen so far (never above its `sendQueue.maxBytes`). */
  connectionQueuedBytesPeak: number;
  /** The memory budget (`limits.maxBufferedBytes`): what is held now, the marks, what was shed. */
  memory: MemoryStats;
}

/** The memory budget in `port.stats()`; see {@link PortLimits.maxBufferedBytes}. */
export interface MemoryStats {
  /** Bytes held now: `inputBytes + queuedBytes + pausedSocketBytes`. */
  bufferedBytes: number;
  /** Partial frames and unread input held by the connections' readers. */
  inputBytes: number;
  /** Queued sends (the same as `PortStats.queuedBytes`). */
  queuedBytes: number;
  /** Bytes Node's stream buffers hold behind the budget's pauses (counted at each check). */
  pausedSocketBytes: number;
  /** Highest `bufferedBytes` seen when it was counted (at a read, a send or a check). */
  bufferedBytesPeak: number;
  /** The hard mark: `limits.maxBufferedBytes`. */
  maxBufferedBytes: number;
  /** ¾ of the budget: pressure starts here. */
  softMark: number;
  /** ½ of the budget: pressure ends below it; shedding stops below it. */
  lowMark: number;
  /** Connections holding less than this are never paused or closed by the budget. */
  floor: number;
  /** Under pressure now: new peers are refused, big readers paused. */
  pressure: boolean;
  /** Connections whose reading the budget has paused now. */
  pausedNow: number;
  /** Times the pressure started. */
  pressureEvents: number;
  /** Connections paused by the budget (total). */
  pauses: number;
  /** Connections closed by the budget (reason `memory-budget`). */
  sheds: number;
  /** Bytes freed by those closes. */
  shedBytes: number;
}
