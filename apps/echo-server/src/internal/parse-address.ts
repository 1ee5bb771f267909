import { isIP } from 'node:net';

/** A parsed `HOST:PORT` command-line address. */
export interface HostPort {
  /** Host name or IP literal, without brackets (`::1`, `127.0.0.1`, `localhost`). */
  readonly host: string;
  /** 0..65535; 0 asks the OS for a free port. */
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parse `HOST:PORT`. IPv6 hosts are accepted bracketed (`[::1]:7001`) or bare, where the last
 * colon separates the port (`::1:7001`). Throws an `Error` with a human message on bad input.
 */
export function parseHostPort(text: string): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new Error(`'${text}' is not HOST:PORT (IPv6 form is [ADDR]:PORT)`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new Error(`'${host}' in '${text}' is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw new Error(`'${text}' is not HOST:PORT`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (isIP(host) === 0 && !HOSTNAME.test(host)) {
      throw new Error(`'${host}' in '${text}' is not an IP address or host name`);
    }
  }
  if (!/^\d{1,5}$/.test(portText)) throw new Error(`port '${portText}' in '${text}' is not a number`);
  const port = Number(portText);
  if (port > 65535) throw new Error(`port ${port} in '${text}' is out of range 0..65535`);
  return { host, port };
}

/** Format an address the way the apps print it: `127.0.0.1:7000`, `[::1]:7001`. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
