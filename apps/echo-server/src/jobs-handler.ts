import type { JobError, JobPoolHandler } from '@iocp/jobpool';
import type { Handler } from '@iocp/transport';
import { createCloseLogger } from './internal/close-logger.js';
import type { Logger } from './logger.js';

/**
 * The transport handler of `--jobs N`: every frame (raw mode: every chunk) is a job of the
 * process's pool, and replies go back in request order (`jobs`, from `jobPoolHandler`, does
 * the pipelining, reordering and backpressure). This adds what the app wants around it:
 *
 * - `onEnd`: a peer that half-closes after its last frame still gets the replies in flight —
 *   the transport keeps the write side open until `jobs.onEnd`'s promise settles.
 * - `onFrameError`: likewise after a bad frame: replies to the good frames before it still go
 *   out, then the transport closes the connection (bounded by the port's `timeouts.closeMs`).
 * - connection open/close logs, as the echo handler writes them.
 */
export function createJobsHandler(jobs: JobPoolHandler, log: Logger): Handler {
  const debug = log.isLevelEnabled('debug');
  const logClose = createCloseLogger(log);
  return {
    onOpen(conn) {
      if (debug) log.debug({ handle: conn.handle, peer: `${conn.remoteAddress}:${conn.remotePort}`, local: conn.localPort }, 'connection open');
      jobs.onOpen(conn);
    },
    onMessage: (conn, frame) => jobs.onMessage(conn, frame),
    onDrain: (conn) => jobs.onDrain(conn),
    onEnd: (conn) => jobs.onEnd(conn),
    onFrameError: (conn, error) => jobs.onFrameError(conn, error),
    onClose(conn, reason, error) {
      jobs.onClose(conn);
      logClose(conn, reason, error);
    },
  };
}

/**
 * What a failed job does (`IOCP_ERR_JOB_FAILED`, `IOCP_ERR_JOB_WORKER_DIED`, ...): the error is
 * logged at warn level and that connection is destroyed (the pool's default — the peer cannot
 * be sent a reply it could tell from an echo); every other connection keeps working.
 */
export function createJobErrorPolicy(log: Logger): (conn: { readonly handle: number }, error: JobError) => undefined {
  return (conn, error) => {
    log.warn({ handle: conn.handle, code: error.code, err: error.message }, 'job failed; closing the connection');
    return undefined;
  };
}
