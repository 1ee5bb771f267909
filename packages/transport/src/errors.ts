/**
 * Errors raised by `@iocp/transport`. Match on `code`, never on the message or the class name:
 * codes are stable across versions, messages are for humans.
 *
 * Every error is a {@link TransportError} — except options refused with the
 * `InvalidOptionError` all iocp-kit packages share — and every one is an `IocpError` (from
 * `@iocp/errors`, re-exported here); the underlying cause (a socket error, a framing error, an
 * exception thrown by a handler) is chained as `cause`.
 *
 * @module
 */
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** Base class of every error this package raises, except the shared {@link InvalidOptionError}. */
export class TransportError extends IocpError {}

/** The port is closed (or closing): no new listeners or connections. */
export class PortClosedError extends TransportError {
  constructor(message = 'completion port is closed', options?: { cause?: unknown }) {
    super('IOCP_ERR_PORT_CLOSED', message, options);
  }
}

/** A listener could not bind (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL` ... as `cause`). */
export class ListenError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_LISTEN', message, options);
  }
}

/** An outgoing connection did not complete within `connectTimeoutMs`. */
export class ConnectTimeoutError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_CONNECT_TIMEOUT', message, options);
  }
}

/** The peer refused an outgoing connection (`ECONNREFUSED`). */
export class ConnectRefusedError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_CONNECT_REFUSED', message, options);
  }
}

/** An outgoing connection failed for another reason (unreachable host, DNS, reset during connect). */
export class ConnectError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_CONNECT', message, options);
  }
}

/** `connect()` while `limits.maxConnections` connections are open. */
export class MaxConnectionsError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_MAX_CONNECTIONS', message, options);
  }
}

/** TLS handshake or certificate verification failed, or the handshake did not finish in time. */
export class TlsError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_TLS', message, options);
  }
}

/** The peer reset the connection or another socket error ended it (`ECONNRESET`, `EPIPE`, ...). */
export class ConnectionResetError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_CONNECTION_RESET', message, options);
  }
}

/** Queued outgoing bytes would have exceeded `sendQueue.maxBytes`; the connection was closed. */
export class SendQueueOverflowError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_SEND_QUEUE_OVERFLOW', message, options);
  }
}

/**
 * The port's memory budget (`limits.maxBufferedBytes`) was exceeded, or under pressure for too
 * long, and this connection was among the largest holders of partial input and queued sends;
 * it was closed (reason `memory-budget`).
 */
export class MemoryBudgetError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_MEMORY_BUDGET', message, options);
  }
}

/** The peer sent nothing within `timeouts.firstDataMs` of opening. */
export class FirstDataTimeoutError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FIRST_DATA_TIMEOUT', message, options);
  }
}

/** Neither read nor write progress within `timeouts.idleMs`. */
export class IdleTimeoutError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_IDLE_TIMEOUT', message, options);
  }
}

/** Queued outgoing bytes made no write progress within `timeouts.writeStallMs` (the peer stopped reading). */
export class WriteTimeoutError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_WRITE_TIMEOUT', message, options);
  }
}

/** `timeouts.heartbeat.maxMissed` keepalives went unanswered. */
export class HeartbeatTimeoutError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_HEARTBEAT_TIMEOUT', message, options);
  }
}

/** A handler threw or its promise rejected; the thrown value is the `cause`. Only that connection closes. */
export class HandlerError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_HANDLER', message, options);
  }
}

/** A frame handed to `send` could not be encoded by the connection's codec (the codec error is the `cause`). */
export class EncodeError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_ENCODE', message, options);
  }
}

/** A `HOST:PORT` text could not be parsed by `parseEndpoint` (the message says which part is wrong). */
export class InvalidEndpointError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_INVALID_ENDPOINT', message, options);
  }
}

/**
 * A listener with `proxyProtocol` refused a peer's PROXY header: missing when required,
 * malformed, incomplete by the deadline, over `maxHeaderBytes`, of an unknown v2 family or
 * command, a failed CRC32C, or sent by a peer outside `trusted`. Only that socket closes.
 */
export class ProxyHeaderError extends TransportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_PROXY_HEADER', message, options);
  }
}
