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
