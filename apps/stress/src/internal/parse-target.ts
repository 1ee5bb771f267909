import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** `HOST:PORT` or `[v6]:PORT` → parts. Port 1..65535 (0 cannot be connected to). */
export function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--target must be HOST:PORT or [IPv6]:PORT with port 1..65535 (got "${text}")`);
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && isIP(host) !== 6) throw new UsageError(`--target: "${host}" is not an IPv6 address`);
  return { host, port };
}
