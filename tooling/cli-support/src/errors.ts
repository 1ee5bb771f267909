/**
 * Errors of the iocp-kit command-line apps. Every error an app reports itself is a
 * {@link CliError}: a stable `code` (`IOCP_ERR_...`) to match on, a one-line message, and the
 * process exit code it ends the run with. Causes are chained as `cause`.
 */
import { IocpError } from '@iocp/errors';

/** Exit code: success (clean run, graceful shutdown). */
export const EXIT_OK = 0;
/** Exit code: runtime failure (cannot listen, the operation failed, an unexpected error). */
export const EXIT_FAILURE = 1;
/** Exit code: bad command line (unknown flag, bad value, unreadable file named on it). */
export const EXIT_USAGE = 2;
/**
 * Exit code: the reader of stdout or stderr went away (`EPIPE`, e.g. `app | head -1`); 128 +
 * SIGPIPE, what a shell reports for a C program that SIGPIPE ended. Nothing is printed.
 */
export const EXIT_BROKEN_PIPE = 141;

/**
 * Base class of every error an app reports itself: a `code`, a one-line message, an exit code.
 * An `IocpError` like the libraries' errors.
 */
export class CliError extends IocpError {
  /** Process exit code when this error ends the run. */
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}

/** Bad command line: unknown flag or command, bad or conflicting value, unreadable file. `IOCP_ERR_USAGE`, exit 2. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_USAGE', message, EXIT_USAGE, options);
  }
}

/** A listening endpoint the app itself runs (the metrics server) could not bind. `IOCP_ERR_LISTEN`, exit 1. */
export class ListenError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_LISTEN', message, EXIT_FAILURE, options);
  }
}

/**
 * The exit code an error ends the run with: its `exitCode` when it is a {@link CliError},
 * `fallback` (default {@link EXIT_FAILURE}) for anything else, including errors of the
 * libraries (`IOCP_ERR_CONNECT_REFUSED` ...), which keep their own code on the error line.
 */
export function exitCodeOf(error: unknown, fallback: number = EXIT_FAILURE): number {
  return error instanceof CliError ? error.exitCode : fallback;
}

/**
 * The one-line form an app prints on stderr: `APP: CODE: message`. Errors without an
 * `IOCP_ERR_` code print as `APP: IOCP_ERR_INTERNAL: message`. Line breaks in the message are
 * folded into single spaces, so the line is always one line.
 */
export function formatErrorLine(app: string, error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
  return typeof code === 'string' && code.startsWith('IOCP_ERR_') ? `${app}: ${code}: ${message}` : `${app}: IOCP_ERR_INTERNAL: ${message}`;
}
