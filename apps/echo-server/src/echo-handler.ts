import type { FrameParts } from '@iocp/framing';
import { type Connection, type Handler, formatEndpoint } from '@iocp/transport';
import { createCloseLogger } from './internal/close-logger.js';
import type { FrameProcessor } from './job-hook.js';
import type { Logger } from './logger.js';

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
  const replyParts = (conn: Connection, frame: FrameParts): void => {
    conn.sendParts(frame);
    if (!conn.writable) conn.pause();
  };
  return {
    onOpen(conn) {
      if (debug) {
        const proxy = conn.proxyAddress === undefined ? {} : { proxy: formatEndpoint(conn.proxyAddress, conn.proxyPort ?? 0) };
        log.debug({ handle: conn.handle, peer: formatEndpoint(conn.remoteAddress, conn.remotePort), ...proxy, local: conn.localPort }, 'connection open');
      }
    },
    onMessage:
      processor === undefined
        ? reply
        : (conn, frame) => {
            reply(conn, processor.process(frame));
          },
    // Without a processor a large frame that spans socket chunks goes back as the same views:
    // no join, no copy (with jobs, frames are joined for the worker).
    ...(processor === undefined ? { onMessageParts: replyParts } : {}),
    onDrain(conn) {
      conn.resume();
    },
    onClose: createCloseLogger(log),
  };
}
