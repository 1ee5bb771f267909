import { type CloseReason, type Connection, formatEndpoint } from '@iocp/transport';
import type { Logger } from '../logger.js';

/** Close reasons that are part of normal life; the others are logged at info level. */
const ORDINARY: ReadonlySet<CloseReason> = new Set<CloseReason>(['peer-closed', 'local', 'shutdown', 'rejected']);

/**
 * The `onClose` logging shared by every handler of the app: abnormal closes (timeouts, bad
 * frames, overflow, failed jobs) at info level, ordinary ones at debug level only — with debug
 * off an ordinary close allocates nothing.
 */
export function createCloseLogger(log: Logger): (conn: Connection, reason: CloseReason, error?: Error) => void {
  const debug = log.isLevelEnabled('debug');
  return (conn, reason, error) => {
    const ordinary = ORDINARY.has(reason);
    if (ordinary && !debug) return;
    const fields = {
      handle: conn.handle,
      peer: formatEndpoint(conn.remoteAddress, conn.remotePort),
      ...(conn.proxyAddress !== undefined ? { proxy: formatEndpoint(conn.proxyAddress, conn.proxyPort ?? 0) } : {}),
      reason,
      err: error?.message,
    };
    if (ordinary) log.debug(fields, 'connection closed');
    else log.info(fields, 'connection closed');
  };
}
