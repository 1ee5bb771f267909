import { CliError, EXIT_FAILURE } from '@iocp/cli-support';

/** Exit codes (0 clean run or graceful shutdown, 1 runtime failure, 2 bad command line), the usage error and the one-line form `echo-server: CODE: message` are shared by every app. */
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, formatErrorLine } from '@iocp/cli-support';

/** Base class of every error the echo server reports itself (a `CliError`: `code`, `exitCode`); match on `code`. */
export class EchoServerError extends CliError {}

/** A listener could not bind (address in use, no permission), a worker or the job pool failed to start. Exit 1. */
export class StartupError extends EchoServerError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, EXIT_FAILURE, options);
  }
}
