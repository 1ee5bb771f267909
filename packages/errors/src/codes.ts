/**
 * The registry of every error code iocp-kit's packages raise.
 *
 * @module
 */

/** What the registry says about one code. */
export interface ErrorCodeInfo {
  /** The package whose errors carry the code (`@iocp/errors` for codes every package raises). */
  readonly package: string;
  /** The class raised with the code, exported by that package. */
  readonly className: string;
  /** When it is raised, in one sentence. */
  readonly summary: string;
}

/**
 * Every error code raised by iocp-kit's packages, with its package, class and meaning — the one
 * place a code is registered. Codes are stable: a code is never reused for another failure or
 * removed in a minor version. `docs/error-codes.md` in the repository is generated from this
 * table, and a test refuses a code raised in a package's source that is not registered here.
 */
export const ERROR_CODES = {
  IOCP_ERR_INVALID_OPTION: {
    package: '@iocp/errors',
    className: 'InvalidOptionError',
    summary: 'an option is missing, of the wrong type, out of range or unknown (every package; raised by constructors, factories and methods that take options)',
  },

  IOCP_ERR_FRAME_TOO_LONG: {
    package: '@iocp/framing',
    className: 'FrameTooLongError',
    summary: "a header announces more than the codec's maxFrameLength (or an unterminated line runs past it), or a decoder still cannot size a frame with maxBufferedBytes of it buffered; raised from the header alone, the frame is skipped when its length is known, else the stream ends",
  },
  IOCP_ERR_FRAME_CORRUPT: {
    package: '@iocp/framing',
    className: 'FrameCorruptError',
    summary: 'the bytes cannot be a valid frame sequence for the codec (bad varint, length overflow, adjusted length below the header, wrong Pack flag); the stream ends',
  },
  IOCP_ERR_FRAME_TRUNCATED: {
    package: '@iocp/framing',
    className: 'FrameTruncatedError',
    summary: 'the stream ended inside a frame',
  },
  IOCP_ERR_DECODER_CONTRACT: {
    package: '@iocp/framing',
    className: 'DecoderContractError',
    summary: 'a custom decoder broke the Decoder contract (a bug in the decoder, not in the peer); the stream ends',
  },

  IOCP_ERR_RESP_REPLY: {
    package: '@iocp/resp',
    className: 'RespReplyError',
    summary: 'a RESP command handler returned a value the reply encoder cannot put on the wire (a fraction as an integer, an unknown object); that command is answered -ERR instead',
  },

  IOCP_ERR_REORDER_INVALID_SEQ: {
    package: '@iocp/reorder',
    className: 'InvalidSequenceError',
    summary: 'a sequence number is not an integer in [0, 2^32)',
  },
  IOCP_ERR_REORDER_WINDOW: {
    package: '@iocp/reorder',
    className: 'WindowOverflowError',
    summary: 'a sequence number lies window or more ahead of the one expected; the item is not accepted',
  },
  IOCP_ERR_REORDER_DUPLICATE: {
    package: '@iocp/reorder',
    className: 'DuplicateSequenceError',
    summary: 'a sequence number is already buffered or was already released',
  },

  IOCP_ERR_PORT_CLOSED: {
    package: '@iocp/transport',
    className: 'PortClosedError',
    summary: 'listen or connect after close(), or a pending connect when the port closes',
  },
  IOCP_ERR_LISTEN: {
    package: '@iocp/transport',
    className: 'ListenError',
    summary: 'a listener could not bind (EADDRINUSE, EACCES, EADDRNOTAVAIL ... as cause)',
  },
  IOCP_ERR_CONNECT_TIMEOUT: {
    package: '@iocp/transport',
    className: 'ConnectTimeoutError',
    summary: 'an outgoing connection (TCP connect plus TLS handshake) did not complete within connectTimeoutMs',
  },
  IOCP_ERR_CONNECT_REFUSED: {
    package: '@iocp/transport',
    className: 'ConnectRefusedError',
    summary: 'the peer refused an outgoing connection (ECONNREFUSED)',
  },
  IOCP_ERR_CONNECT: {
    package: '@iocp/transport',
    className: 'ConnectError',
    summary: 'an outgoing connection failed for another reason (unreachable host, DNS, reset during connect)',
  },
  IOCP_ERR_MAX_CONNECTIONS: {
    package: '@iocp/transport',
    className: 'MaxConnectionsError',
    summary: 'connect() while limits.maxConnections connections are open',
  },
  IOCP_ERR_TLS: {
    package: '@iocp/transport',
    className: 'TlsError',
    summary: 'TLS handshake or certificate verification failed, or the handshake did not finish in time',
  },
  IOCP_ERR_CONNECTION_RESET: {
    package: '@iocp/transport',
    className: 'ConnectionResetError',
    summary: 'the peer reset the connection or another socket error ended it (ECONNRESET, EPIPE ...)',
  },
  IOCP_ERR_SEND_QUEUE_OVERFLOW: {
    package: '@iocp/transport',
    className: 'SendQueueOverflowError',
    summary: 'queued outgoing bytes would have exceeded sendQueue.maxBytes; the connection was closed',
  },
  IOCP_ERR_MEMORY_BUDGET: {
    package: '@iocp/transport',
    className: 'MemoryBudgetError',
    summary: 'the port went over limits.maxBufferedBytes (or stayed under memory pressure) and this connection was among the largest holders; it was closed',
  },
  IOCP_ERR_FIRST_DATA_TIMEOUT: {
    package: '@iocp/transport',
    className: 'FirstDataTimeoutError',
    summary: 'the peer sent nothing within timeouts.firstDataMs of opening',
  },
  IOCP_ERR_IDLE_TIMEOUT: {
    package: '@iocp/transport',
    className: 'IdleTimeoutError',
    summary: 'neither read nor write progress within timeouts.idleMs',
  },
  IOCP_ERR_HEARTBEAT_TIMEOUT: {
    package: '@iocp/transport',
    className: 'HeartbeatTimeoutError',
    summary: 'timeouts.heartbeat.maxMissed keepalives went unanswered',
  },
  IOCP_ERR_WRITE_TIMEOUT: {
    package: '@iocp/transport',
    className: 'WriteTimeoutError',
    summary: 'queued outgoing bytes made no write progress within timeouts.writeStallMs (the peer stopped reading)',
  },
  IOCP_ERR_HANDLER: {
    package: '@iocp/transport',
    className: 'HandlerError',
    summary: 'a handler threw or its promise rejected (the thrown value is the cause); only that connection closes',
  },
  IOCP_ERR_ENCODE: {
    package: '@iocp/transport',
    className: 'EncodeError',
    summary: "a frame handed to send() could not be encoded by the connection's codec (e.g. longer than its max)",
  },
  IOCP_ERR_PROXY_HEADER: {
    package: '@iocp/transport',
    className: 'ProxyHeaderError',
    summary: "a listener with proxyProtocol refused a peer's PROXY header (missing when required, malformed, late, too long, unknown v2 family or command, bad CRC32C, untrusted sender); that socket is closed",
  },
  IOCP_ERR_INVALID_ENDPOINT: {
    package: '@iocp/transport',
    className: 'InvalidEndpointError',
    summary: 'parseEndpoint() on text that is not HOST:PORT (bad host, port not 0..65535, over 300 characters)',
  },

  IOCP_ERR_JOB_POOL_CLOSED: {
    package: '@iocp/jobpool',
    className: 'PoolClosedError',
    summary: 'submit() or openKey() after close()',
  },
  IOCP_ERR_JOB_KEY_FULL: {
    package: '@iocp/jobpool',
    className: 'KeyFullError',
    summary: 'submit() for a key that already has perKey.max jobs in flight',
  },
  IOCP_ERR_JOB_QUEUE_FULL: {
    package: '@iocp/jobpool',
    className: 'QueueFullError',
    summary: 'submit() while the pool already has queue.max jobs in flight',
  },
  IOCP_ERR_JOB_UNKNOWN_KEY: {
    package: '@iocp/jobpool',
    className: 'UnknownKeyError',
    summary: 'submit() for a key that was never opened, on a pool without a default handler',
  },
  IOCP_ERR_JOB_KEY_EXISTS: {
    package: '@iocp/jobpool',
    className: 'KeyExistsError',
    summary: 'openKey() for a key that is already open',
  },
  IOCP_ERR_JOB_FAILED: {
    package: '@iocp/jobpool',
    className: 'JobFailedError',
    summary: "the job function threw or rejected (delivered to onError; cause is the worker's error)",
  },
  IOCP_ERR_JOB_WORKER_DIED: {
    package: '@iocp/jobpool',
    className: 'WorkerDiedError',
    summary: "the worker thread died under the job, or no thread could start (.reason: 'exit', 'error', 'resource-limit', 'startup')",
  },
  IOCP_ERR_JOB_MODULE: {
    package: '@iocp/jobpool',
    className: 'JobModuleError',
    summary: 'the worker module could not be loaded or has no default-exported function',
  },

  IOCP_ERR_FT_BAD_PATH: {
    package: '@iocp/file-transfer',
    className: 'BadPathError',
    summary: 'a remote name is not a safe relative path, names the reserved folder, has a parent that is not a folder, or resolves outside the root',
  },
  IOCP_ERR_FT_NOT_FOUND: {
    package: '@iocp/file-transfer',
    className: 'NotFoundError',
    summary: 'the remote (or local) file or folder does not exist',
  },
  IOCP_ERR_FT_NOT_A_FILE: {
    package: '@iocp/file-transfer',
    className: 'NotAFileError',
    summary: 'the name exists but is not a regular file (a put source or a get target that is a folder, FIFO, socket or device)',
  },
  IOCP_ERR_FT_BUSY: {
    package: '@iocp/file-transfer',
    className: 'BusyError',
    summary: 'another upload (or a delete) of the same name is in progress',
  },
  IOCP_ERR_FT_AUTH: {
    package: '@iocp/file-transfer',
    className: 'AuthError',
    summary: 'the shared token is missing or wrong; the connection is closed',
  },
  IOCP_ERR_FT_VERSION: {
    package: '@iocp/file-transfer',
    className: 'VersionError',
    summary: 'the peer speaks a protocol version this side does not; the connection is closed',
  },
  IOCP_ERR_FT_PROTOCOL: {
    package: '@iocp/file-transfer',
    className: 'ProtocolError',
    summary: 'a malformed or out-of-order message, or a credit overrun; the connection is closed',
  },
  IOCP_ERR_FT_HASH_MISMATCH: {
    package: '@iocp/file-transfer',
    className: 'HashMismatchError',
    summary: "the SHA-256 of the received bytes differs from the sender's; nothing is published",
  },
  IOCP_ERR_FT_TOO_LARGE: {
    package: '@iocp/file-transfer',
    className: 'TooLargeError',
    summary: "the file is larger than the server's maxFileSize",
  },
  IOCP_ERR_FT_NO_SPACE: {
    package: '@iocp/file-transfer',
    className: 'NoSpaceError',
    summary: 'not enough free space (statfs checked up front, or ENOSPC / EDQUOT while writing)',
  },
  IOCP_ERR_FT_ACCESS: {
    package: '@iocp/file-transfer',
    className: 'AccessError',
    summary: 'permission denied (EACCES, EPERM, EROFS)',
  },
  IOCP_ERR_FT_IO: {
    package: '@iocp/file-transfer',
    className: 'IoError',
    summary: 'any other file-system failure; cause holds the system error',
  },
  IOCP_ERR_FT_SIZE_MISMATCH: {
    package: '@iocp/file-transfer',
    className: 'SizeMismatchError',
    summary: 'the source changed size while it was sent, or the sender sent more or less than announced; nothing is published',
  },
  IOCP_ERR_FT_TOO_MANY: {
    package: '@iocp/file-transfer',
    className: 'TooManyTransfersError',
    summary: 'more concurrent transfers on one connection than the server allows (maxTransfersPerConnection)',
  },
  IOCP_ERR_FT_CLOSED: {
    package: '@iocp/file-transfer',
    className: 'ConnectionClosedError',
    summary: 'the connection closed or was reset before the operation finished; partials are kept for resume',
  },
  IOCP_ERR_FT_CANCELLED: {
    package: '@iocp/file-transfer',
    className: 'CancelledError',
    summary: 'the operation was cancelled by the peer or by the caller',
  },
  IOCP_ERR_FT_TIMEOUT: {
    package: '@iocp/file-transfer',
    className: 'TimeoutError',
    summary: "the server did not answer within the client's timeoutMs (no WELCOME, no reply to a request, or no progress in a transfer)",
  },
} as const satisfies Readonly<Record<string, ErrorCodeInfo>>;

/** A code registered in {@link ERROR_CODES}, e.g. `'IOCP_ERR_FRAME_TOO_LONG'`. */
export type IocpErrorCode = keyof typeof ERROR_CODES;

/**
 * `true` when `code` is registered in {@link ERROR_CODES} (a code from a newer peer may not be).
 *
 * @param code - Any string, e.g. an error's `code`.
 */
export function isIocpErrorCode(code: string): code is IocpErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
