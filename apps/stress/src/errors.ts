/** Base class of every error the stress tool reports itself; match on `code`. */
export class StressError extends Error {
  /** Stable machine-readable code, e.g. `IOCP_ERR_USAGE`. */
  readonly code: string;
  /** Process exit code when this error ends the process. */
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad command line: unknown flag, bad or conflicting value. Exit 2. */
export class UsageError extends StressError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_USAGE', message, EXIT_USAGE, options);
  }
}

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

/** The one-line form printed on stderr: `stress: CODE: message`. */
export function formatErrorLine(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  return typeof code === 'string' && code.startsWith('IOCP_ERR_')
    ? `stress: ${code}: ${oneLine}`
    : `stress: IOCP_ERR_INTERNAL: ${oneLine}`;
}
