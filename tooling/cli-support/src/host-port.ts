import { parseEndpoint } from '@iocp/transport';

/** A `HOST:PORT` as the apps keep it in their configs: host without brackets, port 0..65535. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parse a `HOST:PORT` command-line value with `@iocp/transport`'s `parseEndpoint` (IPv4, host
 * names, `[::1]:7001`, bare `::1:7001`) and keep only `host` and `port`, the shape the apps
 * store and compare. Throws `InvalidEndpointError` (`IOCP_ERR_INVALID_ENDPOINT`) on bad text;
 * wrapped by {@link optionParser}, that becomes a usage error.
 */
export function parseHostPort(text: string): HostPort {
  const { host, port } = parseEndpoint(text);
  return { host, port };
}

/**
 * {@link parseHostPort} for an address to connect to (a client's `--server`, `--target`): port
 * `0` means "any free port" to a listener but names no server, so it is refused here, as bad
 * text (wrapped by {@link optionParser}: a usage error, exit 2) rather than as a failed connect.
 */
export function parseServerHostPort(text: string): HostPort {
  const hostPort = parseHostPort(text);
  if (hostPort.port === 0) throw new Error(`port 0 in '${text}' names no server (1..65535)`);
  return hostPort;
}
