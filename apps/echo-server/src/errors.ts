/** Base class of every error the echo server reports itself; match on `code`. */
export class EchoServerError extends Error {
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

/** Bad command line: unknown flag, bad value, unreadable certificate file. Exit 2. */
export class UsageError extends EchoServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_USAGE', message, EXIT_USAGE, options);
  }
}

/** A listener or the metrics endpoint could not bind (address in use, no permission). Exit 1. */
export class StartupError extends EchoServerError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, EXIT_FAILURE, options);
  }
}

/** Exit code: clean run or graceful shutdown. */
export const EXIT_OK = 0;
/** Exit code: runtime failure (cannot listen, a worker died during startup). */
export const EXIT_FAILURE = 1;
/** Exit code: bad command line. */
export const EXIT_USAGE = 2;

/** The one-line form printed on stderr: `echo-server: CODE: message`. */
export function formatErrorLine(app: string, error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  return typeof code === 'string' && code.startsWith('IOCP_ERR_')
    ? `${app}: ${code}: ${oneLine}`
    : `${app}: IOCP_ERR_INTERNAL: ${oneLine}`;
}
