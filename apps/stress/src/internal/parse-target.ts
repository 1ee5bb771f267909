import { UsageError } from '@iocp/cli-support';
import { type Endpoint, parseEndpoint } from '@iocp/transport';

/**
 * `HOST:PORT`, `[v6]:PORT` or bare `v6:PORT` (`::1:7000`, the last group is the port, as in the
 * other apps) → parts, read by `@iocp/transport`'s `parseEndpoint`. Port 1..65535 (0 cannot be
 * connected to). Throws {@link UsageError}.
 */
export function parseTarget(text: string): { host: string; port: number } {
  const refuse = (cause?: unknown): UsageError =>
    new UsageError(`--target must be HOST:PORT, [IPv6]:PORT or IPv6:PORT with port 1..65535 (got "${text}")`, cause === undefined ? undefined : { cause });
  let target: Endpoint;
  try {
    target = parseEndpoint(text);
  } catch (error) {
    throw refuse(error);
  }
  if (target.port < 1) throw refuse();
  return { host: target.host, port: target.port };
}
