import { CliError } from '@iocp/cli-support';

/** Base class of every error the stress tool reports itself (a `CliError`: `code`, `exitCode`); match on `code`. */
export class StressError extends CliError {}

/** Bad command line: unknown flag, bad or conflicting value. `IOCP_ERR_USAGE`, exit 2 (shared by every app). */
export { UsageError } from '@iocp/cli-support';

/** Exit code: every echo verified, errors within `--max-errors`. */
export const EXIT_OK = 0;
/** Exit code: more connection errors than `--max-errors`, or no connection could be opened. */
export const EXIT_ERRORS = 1;
/** Exit code: bad command line. */
export const EXIT_USAGE = 2;
/** Exit code: at least one echo differed from what was sent (takes precedence over 1). */
export const EXIT_MISMATCH = 3;

/**
 * Codes the tool itself assigns to connection failures (socket errors keep Node's code, e.g.
 * `ECONNREFUSED`, `ECONNRESET`).
 */
export const ErrorCodes = {
  /** The connection was not established within `--connect-timeout`. */
  connectTimeout: 'IOCP_ERR_CONNECT_TIMEOUT',
  /** The peer closed the connection while the tool still expected echoes or wanted to send. */
  peerClosed: 'IOCP_ERR_PEER_CLOSED',
  /** Messages were still unanswered when `--drain-timeout` expired after the run stopped. */
  drainTimeout: 'IOCP_ERR_DRAIN_TIMEOUT',
  /** The echoed bytes differ from the sent bytes (counted under `mismatches`, not `errors`). */
  mismatch: 'IOCP_ERR_MISMATCH',
} as const;
