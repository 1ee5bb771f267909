import { CliError, formatErrorLine as formatAppErrorLine } from '@iocp/cli-support';

/** Exit code: every echo matched. */
export const EXIT_OK = 0;
/** Exit code: an echo differed from what was sent (or the server sent bytes nobody asked for). */
export const EXIT_MISMATCH = 1;
/** Exit code: bad command line or unreadable `--ca` file. */
export const EXIT_USAGE = 2;
/** Exit code: could not connect (refused, connect timeout, TLS handshake or verification). */
export const EXIT_CONNECT = 3;
/** Exit code: connected, but an echo did not come back (timeout, connection lost). */
export const EXIT_ECHO = 4;

/** Every error the echo client reports itself: a stable `code`, a one-line message, an exit code. */
export class EchoClientError extends CliError {}

/** Bad command line: `IOCP_ERR_USAGE`, exit 2 (shared by every app). */
export { UsageError } from '@iocp/cli-support';

/** The echo differs from the message. `IOCP_ERR_ECHO_MISMATCH`, exit 1. */
export class EchoMismatchError extends EchoClientError {
  constructor(message: string) {
    super('IOCP_ERR_ECHO_MISMATCH', message, EXIT_MISMATCH);
  }
}

/** No (complete) echo within `--timeout`. `IOCP_ERR_ECHO_TIMEOUT`, exit 4. */
export class EchoTimeoutError extends EchoClientError {
  constructor(message: string) {
    super('IOCP_ERR_ECHO_TIMEOUT', message, EXIT_ECHO);
  }
}

/** The server closed or reset the connection before all echoes came back. `IOCP_ERR_CONNECTION_CLOSED`, exit 4. */
export class ConnectionClosedError extends EchoClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_CONNECTION_CLOSED', message, EXIT_ECHO, options);
  }
}

/** The one-line form printed on stderr: `echo-client: CODE: message`. */
export function formatErrorLine(error: unknown): string {
  return formatAppErrorLine('echo-client', error);
}
