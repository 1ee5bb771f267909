/**
 * Errors of `@iocp/file-transfer`. Match on `code`, never on the message: codes are stable and
 * travel over the wire unchanged, so a client sees the same code the server raised.
 *
 * Every error is an `IocpError` (from `@iocp/errors`, re-exported here); options are refused
 * with the `InvalidOptionError` all iocp-kit packages share, every other error is a
 * {@link FileTransferError}.
 *
 * @module
 */
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** Base class of every error raised by this package, except the shared {@link InvalidOptionError}. */
export class FileTransferError extends IocpError {
  /**
   * @param code - Stable code, e.g. `IOCP_ERR_FT_BAD_PATH` (or a code received from a newer peer).
   * @param message - One line for humans.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FileTransferError';
  }
}

/** A remote name is not a safe relative path, or resolves outside the root. */
export class BadPathError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_BAD_PATH', message, options);
    this.name = 'BadPathError';
  }
}

/** The remote (or local) file does not exist. */
export class NotFoundError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** The name exists but is not a regular file (a folder, a device...). */
export class NotAFileError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_NOT_A_FILE', message, options);
    this.name = 'NotAFileError';
  }
}

/** Another upload (or a delete) of the same name is in progress. */
export class BusyError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_BUSY', message, options);
    this.name = 'BusyError';
  }
}

/** The shared token is missing or wrong. The connection is closed. */
export class AuthError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_AUTH', message, options);
    this.name = 'AuthError';
  }
}

/** The peer speaks a protocol version this side does not. The connection is closed. */
export class VersionError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_VERSION', message, options);
    this.name = 'VersionError';
  }
}

/** A malformed or out-of-order message: the peer is broken or hostile. The connection is closed. */
export class ProtocolError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_PROTOCOL', message, options);
    this.name = 'ProtocolError';
  }
}

/** SHA-256 of the received bytes differs from the sender's: nothing is published. */
export class HashMismatchError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_HASH_MISMATCH', message, options);
    this.name = 'HashMismatchError';
  }
}

/** The file is larger than the server's `maxFileSize`. */
export class TooLargeError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_TOO_LARGE', message, options);
    this.name = 'TooLargeError';
  }
}

/** Not enough free space (checked up front with `statfs`, or `ENOSPC`/`EDQUOT` while writing). */
export class NoSpaceError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_NO_SPACE', message, options);
    this.name = 'NoSpaceError';
  }
}

/** Permission denied (`EACCES`, `EPERM`, `EROFS`). */
export class AccessError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_ACCESS', message, options);
    this.name = 'AccessError';
  }
}

/** Any other file-system failure; the `cause` holds the system error. */
export class IoError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_IO', message, options);
    this.name = 'IoError';
  }
}

/** The source changed size while it was being sent, or the sender sent more or less than announced. */
export class SizeMismatchError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_SIZE_MISMATCH', message, options);
    this.name = 'SizeMismatchError';
  }
}

/** More concurrent transfers on one connection than the server allows. */
export class TooManyTransfersError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_TOO_MANY', message, options);
    this.name = 'TooManyTransfersError';
  }
}

/** The connection closed (or was reset) before the operation finished. Partials are kept for resume. */
export class ConnectionClosedError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_CLOSED', message, options);
    this.name = 'ConnectionClosedError';
  }
}

/** The operation was cancelled by the peer or by the caller. */
export class CancelledError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_CANCELLED', message, options);
    this.name = 'CancelledError';
  }
}

/**
 * The server did not answer in time: no WELCOME after HELLO, no first reply to a request, or no
 * progress in a transfer, for the client's `timeoutMs`. The request (or, for HELLO, the
 * connection) is given up; a partial download is kept for resume.
 */
export class TimeoutError extends FileTransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FT_TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

type ErrorCtor = new (message: string, options?: { cause?: unknown }) => FileTransferError;

const BY_CODE: ReadonlyMap<string, ErrorCtor> = new Map<string, ErrorCtor>([
  ['IOCP_ERR_FT_BAD_PATH', BadPathError],
  ['IOCP_ERR_FT_NOT_FOUND', NotFoundError],
  ['IOCP_ERR_FT_NOT_A_FILE', NotAFileError],
  ['IOCP_ERR_FT_BUSY', BusyError],
  ['IOCP_ERR_FT_AUTH', AuthError],
  ['IOCP_ERR_FT_VERSION', VersionError],
  ['IOCP_ERR_FT_PROTOCOL', ProtocolError],
  ['IOCP_ERR_FT_HASH_MISMATCH', HashMismatchError],
  ['IOCP_ERR_FT_TOO_LARGE', TooLargeError],
  ['IOCP_ERR_FT_NO_SPACE', NoSpaceError],
  ['IOCP_ERR_FT_ACCESS', AccessError],
  ['IOCP_ERR_FT_IO', IoError],
  ['IOCP_ERR_FT_SIZE_MISMATCH', SizeMismatchError],
  ['IOCP_ERR_FT_TOO_MANY', TooManyTransfersError],
  ['IOCP_ERR_FT_CLOSED', ConnectionClosedError],
  ['IOCP_ERR_FT_CANCELLED', CancelledError],
  ['IOCP_ERR_FT_TIMEOUT', TimeoutError],
]);

/**
 * Rebuild an error received from the peer (code + message) as the matching subclass; another
 * code (a newer peer's, or one that is not this protocol's) becomes a plain
 * {@link FileTransferError} that keeps the code.
 */
export function errorFromCode(code: string, message: string): FileTransferError {
  const Ctor = BY_CODE.get(code);
  return Ctor ? new Ctor(message) : new FileTransferError(code, message);
}

/**
 * Map a Node.js system error from the file system to a coded error (`ENOSPC` → NO_SPACE,
 * `EACCES` → ACCESS, `ENOENT` → NOT_FOUND, ...). Coded errors pass through unchanged.
 */
export function fromFsError(err: unknown, what: string): FileTransferError {
  if (err instanceof FileTransferError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new NoSpaceError(`${what}: no space left on device`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new AccessError(`${what}: permission denied`, { cause: err });
    case 'ENOENT':
      return new NotFoundError(`${what}: not found`, { cause: err });
    case 'EISDIR':
      return new NotAFileError(`${what}: is a folder`, { cause: err });
    case 'ENOTDIR':
      return new BadPathError(`${what}: a parent is not a folder`, { cause: err });
    case 'ELOOP':
      return new BadPathError(`${what}: too many symbolic links`, { cause: err });
    case 'ENAMETOOLONG':
      return new BadPathError(`${what}: name too long`, { cause: err });
    default:
      return new IoError(`${what}: ${(err as Error | undefined)?.message ?? String(err)}`, { cause: err });
  }
}
