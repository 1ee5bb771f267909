import { UsageError } from '@iocp/cli-support';
import { type Endpoint, parseEndpoint } from '@iocp/transport';

/**
 * `HOST:PORT` or `[v6]:PORT` → parts, read by `@iocp/transport`'s `parseEndpoint`. Port 1..65535
 * (0 cannot be connected to); IPv6 only in brackets, so that the port is never ambiguous.
 * Throws {@link UsageError}.
 */
export function parseTarget(text: string): { host: string; port: number } {
  const refuse = (cause?: unknown): UsageError =>
    new UsageError(`--target must be HOST:PORT or [IPv6]:PORT with port 1..65535 (got "${text}")`, cause === undefined ? undefined : { cause });
  let target: Endpoint;
  try {
    target = parseEndpoint(text);
  } catch (error) {
    throw refuse(error);
  }
  if (target.port < 1 || (target.family === 'IPv6' && !text.startsWith('['))) throw refuse();
  return { host: target.host, port: target.port };
}
