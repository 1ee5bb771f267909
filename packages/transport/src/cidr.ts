import { isIP } from 'node:net';
import { InvalidOptionError } from './errors.js';

/** A parsed CIDR block, in the shape `BlockList.addSubnet` takes. */
export interface Cidr {
  /** The network address as written (an IPv4 or IPv6 literal). */
  readonly address: string;
  /** Prefix length: 0..32 (IPv4) or 0..128 (IPv6); a bare address gets the full length. */
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Parse `ADDRESS/PREFIX` (`'10.0.0.0/8'`, `'::1/128'`) or a bare address (a single host: /32 or
 * /128), as `proxyProtocol.trusted` takes them. The prefix is decimal without leading zeros; no
 * zone ids (`%eth0`). Add the result to a `node:net` `BlockList` with
 * `list.addSubnet(c.address, c.prefix, c.family)`.
 *
 * @param name - What the value is, for the error message (an option name or a flag).
 * @throws `InvalidOptionError` (`IOCP_ERR_INVALID_OPTION`) with a one-line message naming `name`.
 */
export function parseCidr(name: string, text: unknown): Cidr {
  if (typeof text !== 'string') throw new InvalidOptionError(`${name} must be a string like '10.0.0.0/8', got ${typeof text}`);
  const shown = JSON.stringify(text).slice(1, -1);
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const v = isIP(address);
  if (v === 0 || address.includes('%')) throw new InvalidOptionError(`${name}: '${shown}' is not an IP address or CIDR block`);
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) {
      throw new InvalidOptionError(`${name}: prefix '/${JSON.stringify(p).slice(1, -1)}' in '${shown}' is not 0..${max}`);
    }
    prefix = Number(p);
  }
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}
