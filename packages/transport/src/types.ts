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
 * | `proxy-header` | a listener with `proxyProtocol`: the PROXY header was missing (when required), malformed, late, too long, of an unknown family or sent by an untrusted peer (counted, `onProxyHeaderError`, no `onClose`) |
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
  | 'proxy-header'
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

/**
 * PROXY protocol (HAProxy's specification, v1 text and v2 binary) on one listener: a load
 * balancer in front tells the real client's address in a header before any data.
 *
 * The header is read on the raw TCP socket before anything else — before the TLS handshake on
 * a TLS listener, before the codec sees a byte — and admission control (`limits`, `onAccept`)
 * then runs on the client address it names. It must arrive within `timeouts.handshakeMs`
 * (or `timeouts.firstDataMs` when that is set and shorter), checked by the port's watchdog.
 * A header that is missing (when required), malformed, late, longer than `maxHeaderBytes`, of
 * an unknown v2 family, or sent by a peer outside `trusted`, closes the connection with reason
 * `proxy-header` (`IOCP_ERR_PROXY_HEADER`, `handler.onProxyHeaderError`).
 */
export interface ProxyProtocolOptions {
  /**
   * Peers allowed to send a header: CIDR blocks (`'10.0.0.0/8'`, `'::1/128'`) or single
   * addresses (`'127.0.0.1'`). Required, at least one. An IPv4 block also matches IPv4-mapped
   * IPv6 peers (`::ffff:10.1.2.3`) of a dual-stack listener.
   */
  trusted: readonly string[];
  /** Header versions accepted. Default `[1, 2]`; a header of another version is refused. */
  versions?: readonly (1 | 2)[] | undefined;
  /**
   * Default `true`: every peer must start with a header — a trusted peer that does not is
   * closed (`proxy-header`), and an untrusted peer is closed at once. With `false` (a migration
   * aid), a trusted peer may skip the header (it is then served with its own address — a
   * trusted peer that sends nothing waits for the deadline before `onOpen`), and an untrusted
   * peer is served as a direct client whose bytes are never read as a header (a header it sends
   * reaches the codec as data).
   */
  required?: boolean | undefined;
  /**
   * Longest header accepted, in bytes (v2: 16 + its length field; a v1 line is at most 107 by
   * the specification). Default 4096 — the addresses plus every TLV HAProxy sends except a
   * client certificate; 256..65551. At most this many bytes are held per connection while the
   * header arrives.
   */
  maxHeaderBytes?: number | undefined;
}

/** One v2 TLV (type-length-value) as received; `value` is a copy owned by the connection. */
export interface ProxyHeaderTlv {
  /** `PP2_TYPE_*` (0x01 ALPN, 0x02 authority, 0x05 unique id, 0x20 SSL, 0xE0–0xEF application-specific ...). */
  readonly type: number;
  /** The value bytes (at most 65535). */
  readonly value: Buffer;
}

/** The `PP2_TYPE_SSL` TLV: how the client reached the balancer over TLS. */
export interface ProxyHeaderSsl {
  /** Bit field: 0x01 client used TLS, 0x02 certificate on this connection, 0x04 on this session. */
  readonly client: number;
  /** 0 when the client's certificate was presented and verified. */
  readonly verify: number;
  /** `PP2_SUBTYPE_SSL_VERSION`, e.g. `'TLSv1.3'`. */
  readonly version: string | undefined;
  /** `PP2_SUBTYPE_SSL_CN`: the client certificate's common name. */
  readonly cn: string | undefined;
  /** `PP2_SUBTYPE_SSL_CIPHER`. */
  readonly cipher: string | undefined;
  /** `PP2_SUBTYPE_SSL_SIG_ALG`. */
  readonly sigAlg: string | undefined;
  /** `PP2_SUBTYPE_SSL_KEY_ALG`. */
  readonly keyAlg: string | undefined;
  /** `PP2_SUBTYPE_SSL_GROUP`. */
  readonly group: string | undefined;
  /** `PP2_SUBTYPE_SSL_SIG_SCHEME`. */
  readonly sigScheme: string | undefined;
  /** `PP2_SUBTYPE_SSL_CLIENT_CERT`: the client certificate, DER. */
  readonly clientCert: Buffer | undefined;
}

/** A received PROXY header (see {@link Connection.proxyHeader}). */
export interface ProxyHeader {
  /** 1: the text line; 2: the binary header. */
  readonly version: 1 | 2;
  /** `local`: the balancer's own connection (a health check); such connections are closed without `onOpen`. */
  readonly command: 'proxy' | 'local';
  /**
   * `IPv4`/`IPv6`: the addresses below are the client's. `unspec`: v1 `UNKNOWN`, v2 `AF_UNSPEC`,
   * `AF_UNIX` or a non-TCP protocol — the connection keeps the socket's own addresses.
   */
  readonly family: 'IPv4' | 'IPv6' | 'unspec';
  /** Header size on the wire. */
  readonly length: number;
  /** The client's address (IPv6 in compressed lower-case form); undefined for `unspec`. */
  readonly sourceAddress: string | undefined;
  /** The client's port; undefined for `unspec`. */
  readonly sourcePort: number | undefined;
  /** The address the client connected to (on the balancer). */
  readonly destinationAddress: string | undefined;
  /** The port the client connected to (on the balancer). */
  readonly destinationPort: number | undefined;
  /** Every v2 TLV in order (known ones are also parsed below). Empty for v1. */
  readonly tlvs: readonly ProxyHeaderTlv[];
  /** `PP2_TYPE_ALPN`, e.g. `'h2'`. */
  readonly alpn: string | undefined;
  /** `PP2_TYPE_AUTHORITY`: the host name the client asked for (TLS SNI). */
  readonly authority: string | undefined;
  /** `PP2_TYPE_UNIQUE_ID` (at most 128 bytes). */
  readonly uniqueId: Buffer | undefined;
  /** `PP2_TYPE_SSL` with its sub-TLVs. */
  readonly ssl: ProxyHeaderSsl | undefined;
  /** `PP2_TYPE_NETNS`. */
  readonly netns: string | undefined;
}

/** An IP address and port, as in {@link ConnectProxyProtocolOptions}. */
export interface AddressAndPort {
  /** IPv4 or IPv6 literal. */
  address: string;
  /** 0..65535. */
  port: number;
}

/** Client side: send a PROXY header first on every attempt (see {@link ConnectOptions.proxyProtocol}). */
export interface ConnectProxyProtocolOptions {
  /** Header version to send. */
  version: 1 | 2;
  /** The original client (the address the backend should see). */
  source: AddressAndPort;
  /** The address the original client connected to. Default: `host`/`port` of the connect options (which must then be an IP literal). Same family as `source`. */
  destination?: AddressAndPort | undefined;
  /** v2 only: TLVs to append (type 0..255, value at most 65535 bytes in total with the addresses). */
  tlvs?: readonly ProxyHeaderTlv[] | undefined;
}

/**
 * Options of {@link CompletionPort.listen}. `In`/`Out` are the codec's message types (bytes by
 * default): what `onMessage` receives and what `conn.send` takes.
 */
export interface ListenOptions<In = Buffer, Out = Uint8Array> {
  /** Address to bind. Default `'127.0.0.1'`; `'::'` is dual stack unless `ipv6Only`. */
  host?: string | undefined;
  /** Port; `0` (default) picks a free one — read it from the returned listener. */
  port?: number | undefined;
  /** Codec for every connection of this listener: `lengthPrefixed()`, `delimiter()`, `raw()`, or a typed protocol codec ... */
  codec: Codec<In, Out>;
  /** When set, connections are TLS (`node:tls`) with this certificate and key. */
  tls?: ListenTlsOptions | undefined;
  /** Listen backlog. Default 4096 (the kernel caps it at `net.core.somaxconn`). */
  backlog?: number | undefined;
  /** With `host: '::'`, accept IPv6 only. Default false. */
  ipv6Only?: boolean | undefined;
  /** Read a PROXY protocol header from trusted balancers first. Default: off (every byte is the codec's). */
  proxyProtocol?: ProxyProtocolOptions | undefined;
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

/** Options of {@link CompletionPort.connect}. `In`/`Out` as in {@link ListenOptions}. */
export interface ConnectOptions<In = Buffer, Out = Uint8Array> {
  host: string;
  port: number;
  codec: Codec<In, Out>;
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
  /**
   * Send a PROXY protocol header (v1 or v2) as the first bytes of every attempt, before the TLS
   * handshake: for a gateway that forwards clients to a backend expecting one. Default: none.
   */
  proxyProtocol?: ConnectProxyProtocolOptions | undefined;
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
 * `handler-error`. A callback may return anything: only a thenable is awaited, any other value
 * is ignored (so `onMessage: (conn, msg) => conn.send(msg)` is fine).
 *
 * `In` is what the codec decodes (`Buffer` frames by default, a parsed message with a typed
 * codec), `Out` what `conn.send` takes (`Uint8Array` by default).
 */
export interface Handler<Owner = unknown, In = Buffer, Out = Uint8Array> {
  /**
   * Server side only, before anything else: return false to refuse the peer (closed at once,
   * counted as refused `hook`). Behind a PROXY header, `peer` is the client the header names
   * and this runs once the header is read.
   */
  onAccept?: ((peer: PeerInfo) => boolean) | undefined;
  /** The connection is open (TLS handshake done). */
  onOpen?: ((conn: Connection<Owner, Out>) => unknown) | undefined;
  /**
   * One decoded message: for byte codecs the frame (a raw chunk with the raw codec) as a view of
   * received bytes that stays valid; for a typed codec what its decoder's `extract` returned.
   */
  onMessage?: ((conn: Connection<Owner, Out>, msg: In) => unknown) | undefined;
  /**
   * Opt-in zero-copy path for large frames of byte codecs. When present, a frame that arrived across several
   * socket chunks (length-field codecs: `lengthPrefixed`, `lengthField`, `varintPrefixed`,
   * `hpSocketPack`) comes here as the views of those chunks — nothing copied — instead of being
   * joined into one Buffer for `onMessage`. Frames inside one chunk still go to `onMessage`.
   * Same ordering rule as `onMessage`. Forward it with `conn.sendParts(frame)` (one vectored
   * write, still no copy) or join it with `frame.toBuffer()`.
   */
  onMessageParts?: ((conn: Connection<Owner, Out>, frame: FrameParts) => unknown) | undefined;
  /** Queued bytes fell to the low watermark after `writable` had gone false. */
  onDrain?: ((conn: Connection<Owner, Out>) => unknown) | undefined;
  /**
   * The peer finished sending (FIN) and every frame it sent has been delivered. Without this
   * callback the connection then closes (`peer-closed`) once queued sends are flushed. Return a
   * promise to keep the write side open until it settles — e.g. until replies of work still in
   * flight (worker jobs) have been sent; `conn.send` keeps working meanwhile.
   */
  onEnd?: ((conn: Connection<Owner, Out>) => unknown) | undefined;
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
  onFrameError?: ((conn: Connection<Owner, Out>, error: Error) => unknown) | undefined;
  /**
   * Server side, listeners with `proxyProtocol`: a peer's PROXY header was refused (`error.code`
   * `IOCP_ERR_PROXY_HEADER`, the message says why) and its socket closed; counted as closed
   * `proxy-header`. `peer` is the socket's own address (the balancer, or whoever connected).
   * No connection was created, so no other callback runs for it.
   */
  onProxyHeaderError?: ((peer: PeerInfo, error: Error) => void) | undefined;
  /**
   * Called once for every connection the port created, including a client attempt that never
   * opened (`connect-failed`). `error` carries the coded cause when there is one.
   */
  onClose?: ((conn: Connection<Owner, Out>, reason: CloseReason, error?: Error) => unknown) | undefined;
}

/**
 * One connection, server or client side.
 *
 * Reader side: frames arrive through `onMessage`; `pause()`/`resume()` stop and restart reading.
 * Writer side: `send`/`sendRaw` queue bytes; everything queued in one event-loop turn leaves in
 * one (vectored) write; `writable` and `onDrain` are the backpressure signal. Safe to call from
 * anywhere on the main thread; after close every method is a no-op and `send` returns false.
 */
export interface Connection<Owner = unknown, Out = Uint8Array> extends PeerInfo {
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
  /**
   * Server side behind a PROXY header naming a client: the balancer's address (the socket's
   * peer), while `remoteAddress` is the client's. Undefined otherwise.
   */
  readonly proxyAddress: string | undefined;
  /** The balancer's port, with {@link Connection.proxyAddress}. */
  readonly proxyPort: number | undefined;
  /** The PROXY header this connection started with (TLVs included), or undefined. */
  readonly proxyHeader: ProxyHeader | undefined;
  /**
   * Encode `msg` with the connection's codec and queue it; counts in `stats().messagesOut`.
   * A message up to `sendQueue.copyThreshold` bytes on the wire is encoded straight into the
   * port's pooled send buffer (`encoder.encodeInto`, no intermediate copy); a larger one goes as
   * head plus payloads (`encoder.encodeParts`) or prefix plus the frame itself (byte codecs),
   * else into a buffer of its own. Returns false if NOT queued (closed, or the queue cap was
   * hit — the connection is then closed). Throws `IOCP_ERR_ENCODE` for a message the codec
   * cannot encode.
   */
  send(msg: Out): boolean;
  /** Queue bytes as they are (no codec; not counted in `messagesOut`). Same return as `send`. */
  sendRaw(bytes: Uint8Array): boolean;
  /**
   * Byte codecs: encode and queue a frame held as parts (from `onMessageParts`) without joining them: the
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
    /** Connections that started with a PROXY header naming a client (listeners with `proxyProtocol`). */
    proxied: number;
    /** PROXY `LOCAL` connections (balancer health checks), closed without `onOpen`. */
    proxyLocal: number;
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
