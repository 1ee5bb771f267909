import { isIP } from 'node:net';

/** A parsed `HOST:PORT`. */
export interface HostPort {
  /** Host name or IP literal, without brackets. */
  readonly host: string;
  /** 0..65535; 0 asks the OS for a free port. */
  readonly port: number;
}

/** Parse `HOST:PORT`; IPv6 as `[::1]:7001`. Throws an `Error` with a human message. */
export function parseHostPort(text: string): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') throw new Error(`'${text}' is not HOST:PORT (IPv6 form is [ADDR]:PORT)`);
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new Error(`'${host}' is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw new Error(`'${text}' is not HOST:PORT`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new Error(`port '${portText}' in '${text}' is not in 0..65535`);
  return { host, port: Number(portText) };
}

/** `127.0.0.1:7000`, `[::1]:7001`. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
