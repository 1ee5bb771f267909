import type { CloseReason, Connection, Handler } from '@iocp/transport';
import type { FrameProcessor } from './job-hook.js';
import type { Logger } from './logger.js';

/** Close reasons that are part of normal life; the others are logged at info level. */
const ORDINARY: ReadonlySet<CloseReason> = new Set<CloseReason>(['peer-closed', 'local', 'shutdown', 'rejected']);

/**
 * The echo handler: every frame (raw mode: every chunk) goes back to its sender, in order.
 *
 * Backpressure: when the reply pushes the connection's send queue above its high watermark
 * the handler pauses reading from that peer, and resumes on `onDrain`. A peer that sends but
 * does not read therefore stalls itself instead of growing server memory; the transport's
 * hard send-queue cap is the backstop.
 *
 * Per-connection events are logged at debug level (they carry the pid, which tells cluster
 * workers apart); abnormal closes (timeouts, bad frames, overflow) at info level.
 */
export function createEchoHandler(log: Logger, processor: FrameProcessor | undefined): Handler {
  const debug = log.isLevelEnabled('debug');
  const reply = (conn: Connection, bytes: Buffer): void => {
    conn.send(bytes);
    if (!conn.writable) conn.pause();
  };
  return {
    onOpen(conn) {
      if (debug) log.debug({ handle: conn.handle, peer: `${conn.remoteAddress}:${conn.remotePort}`, local: conn.localPort }, 'connection open');
    },
    onMessage:
      processor === undefined
        ? reply
        : (conn, frame) => {
            reply(conn, processor.process(frame));
          },
    onDrain(conn) {
      conn.resume();
    },
    onClose(conn, reason, error) {
      const ordinary = ORDINARY.has(reason);
      if (ordinary && !debug) return; // no per-connection allocation on the hot close path
      const fields = { handle: conn.handle, peer: `${conn.remoteAddress}:${conn.remotePort}`, reason, err: error?.message };
      if (ordinary) log.debug(fields, 'connection closed');
      else log.info(fields, 'connection closed');
    },
  };
}
