import { isIP } from 'node:net';
import { InvalidEndpointError } from './errors.js';

/** What kind of host an {@link Endpoint} names. A `hostname` is resolved when connecting or binding. */
export type EndpointFamily = 'IPv4' | 'IPv6' | 'hostname';

/** A parsed `HOST:PORT`. */
export interface Endpoint {
  /** Host name or IP literal, without brackets (`::1`, `127.0.0.1`, `localhost`). */
  readonly host: string;
  /** 0..65535; 0 asks the OS for a free port when listening. */
  readonly port: number;
  /** `IPv4` or `IPv6` for an IP literal, `hostname` otherwise. */
  readonly family: EndpointFamily;
}

/** Options of {@link parseEndpoint}. */
export interface ParseEndpointOptions {
  /**
   * Host used when the text is a bare port (`7000` or `:7000`). Default: unset, and a bare port is
   * refused. Must itself be an IP literal or a valid host name.
   */
  readonly defaultHost?: string | undefined;
}

/** Longest text accepted: a 253-character host name, brackets, colon and port, with slack. */
const MAX_TEXT = 300;
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 at most. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PORT = /^\d{1,5}$/;

function familyOf(host: string): EndpointFamily | undefined {
  const v = isIP(host);
  if (v === 4) return 'IPv4';
  if (v === 6) return 'IPv6';
  return HOSTNAME.test(host) ? 'hostname' : undefined;
}

/**
 * Parse a `HOST:PORT` address as typed on a command line or in a config file.
 *
 * - IPv4 and host names: `127.0.0.1:7000`, `localhost:7000`.
 * - IPv6 bracketed, `[::1]:7001`, or bare, `::1:7001`, where the last colon separates the port.
 *   Brackets hold IPv6 only (`[127.0.0.1]:80` is refused).
 * - With `options.defaultHost`, a bare port (`7000`, `:7000`) takes that host.
 *
 * The port must be 1–5 ASCII digits in 0..65535 (no sign, no spaces). Host names must be valid
 * RFC 1123 names; no white space or control character is accepted anywhere, and text longer than
 * 300 characters is refused before any other check.
 *
 * @throws {@link InvalidEndpointError} (`IOCP_ERR_INVALID_ENDPOINT`) with a one-line message.
 */
export function parseEndpoint(text: string, options: ParseEndpointOptions = {}): Endpoint {
  if (typeof text !== 'string') throw new InvalidEndpointError(`address must be a string, got ${typeof text}`);
  if (text.length > MAX_TEXT) throw new InvalidEndpointError(`address is longer than ${MAX_TEXT} characters`);
  const shown = JSON.stringify(text).slice(1, -1); // control characters stay visible and on one line
  let host: string;
  let portText: string;
  if (options.defaultHost !== undefined && (PORT.test(text) || (text.startsWith(':') && PORT.test(text.slice(1))))) {
    host = options.defaultHost;
    portText = text.startsWith(':') ? text.slice(1) : text;
    if (familyOf(host) === undefined) throw new InvalidEndpointError(`default host '${host}' is not an IP address or host name`);
  } else if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new InvalidEndpointError(`'${shown}' is not HOST:PORT (IPv6 form is [ADDR]:PORT)`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new InvalidEndpointError(`'${JSON.stringify(host).slice(1, -1)}' in '${shown}' is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw new InvalidEndpointError(`'${shown}' is not HOST:PORT`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (familyOf(host) === undefined) {
      throw new InvalidEndpointError(`'${JSON.stringify(host).slice(1, -1)}' in '${shown}' is not an IP address or host name`);
    }
  }
  if (!PORT.test(portText)) {
    throw new InvalidEndpointError(`port '${JSON.stringify(portText).slice(1, -1)}' in '${shown}' is not a number`);
  }
  const port = Number(portText);
  if (port > 65535) throw new InvalidEndpointError(`port ${port} in '${shown}' is out of range 0..65535`);
  return { host, port, family: familyOf(host)! };
}

/**
 * Format a host and port the way `Listener.address` and the apps print them: `127.0.0.1:7000`,
 * `localhost:7000`, `[::1]:7001` (any host containing a colon is an IPv6 literal and is bracketed).
 * The inverse of {@link parseEndpoint} for every endpoint it returns.
 */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
