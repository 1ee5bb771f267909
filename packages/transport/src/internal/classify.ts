import type { CloseReason } from '../types.js';

/** Close reason for an error thrown by a decoder / FrameReader. */
export function frameErrorReason(error: unknown): CloseReason {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'IOCP_ERR_FRAME_TOO_LONG' ? 'frame-too-long' : 'frame-corrupt';
}

/** True for errors raised by the TLS layer rather than by the TCP socket (those carry `syscall`). */
export function isTlsLayerError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { syscall?: unknown; code?: unknown; library?: unknown };
  if (e.syscall !== undefined) return false;
  if (e.library !== undefined) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('CERT_') ||
    code.startsWith('UNABLE_TO_') ||
    code.includes('SELF_SIGNED') ||
    code === 'ECONNRESET_TLS'
  );
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 peers on a dual-stack listener match IPv4 rules and share per-IP counts. */
export function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  if (address.startsWith('::ffff:') && address.includes('.')) return { address: address.slice(7), family: 'ipv4' };
  return { address, family: address.includes(':') ? 'ipv6' : 'ipv4' };
}
