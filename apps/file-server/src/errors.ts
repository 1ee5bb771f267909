/** Exit code: clean run or graceful shutdown. */
export const EXIT_OK = 0;
/** Exit code: runtime failure (cannot listen, root missing). */
export const EXIT_FAILURE = 1;
/** Exit code: bad command line. */
export const EXIT_USAGE = 2;

/** Bad command line: unknown flag, bad value, unreadable file. Exit 2. */
export class UsageError extends Error {
  readonly code = 'IOCP_ERR_USAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The one-line form printed on stderr: `file-server: CODE: message`. */
export function formatErrorLine(app: string, error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
  return typeof code === 'string' && code.startsWith('IOCP_ERR_') ? `${app}: ${code}: ${message}` : `${app}: IOCP_ERR_INTERNAL: ${message}`;
}
