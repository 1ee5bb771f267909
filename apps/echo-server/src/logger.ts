import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (fd 2), written synchronously so nothing is lost when the
 * process exits right after a shutdown line. `pid` is on every line, which tells cluster
 * workers apart.
 */
export function createLogger(level: string, role: 'primary' | 'worker' | 'single'): Logger {
  return pino({ name: 'echo-server', level, base: { pid: process.pid, role } }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
