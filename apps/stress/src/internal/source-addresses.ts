import { isIP, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * `--source`: the local addresses new connections are bound to, round-robin. One connection to
 * one server address uses one local port, and a local address has only the ephemeral port range
 * (`net.ipv4.ip_local_port_range`, 28,231 ports by default): more connections than that to one
 * server need more source addresses. On Linux every address of 127.0.0.0/8 is local, so
 * loopback tests can use 127.0.0.2, 127.0.0.3, ... without configuring anything.
 */

/** Most addresses all `--source` values may expand to together. */
export const MAX_SOURCES = 4096;

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/**
 * One `--source` value → its addresses: an IP address (IPv4 or IPv6), or an IPv4 range
 * `FIRST-LAST` (`127.0.0.2-127.0.0.5`, both ends included). Throws a plain `Error` otherwise.
 */
export function parseSource(text: string): string[] {
  const dash = text.indexOf('-');
  if (dash < 0) {
    if (isIP(text) === 0) throw new Error('expected an IP address or an IPv4 range FIRST-LAST');
    return [text];
  }
  const first = text.slice(0, dash);
  const last = text.slice(dash + 1);
  if (!isIPv4(first) || !isIPv4(last)) throw new Error('expected an IP address or an IPv4 range FIRST-LAST');
  const a = v4ToInt(first);
  const b = v4ToInt(last);
  if (b < a) throw new Error('the range ends before it starts');
  if (b - a + 1 > MAX_SOURCES) throw new Error(`a range holds at most ${MAX_SOURCES} addresses`);
  const out: string[] = [];
  for (let n = a; n <= b; n++) out.push(intToV4(n));
  return out;
}

/** IPv6 text in one spelling (`0:0::1` and `::1` compare equal). */
function canonical(ip: string): string {
  if (isIPv4(ip)) return ip;
  try {
    return new URL(`http://[${ip.replace(/%.*$/, '')}]/`).hostname;
  } catch {
    return ip;
  }
}

/**
 * Whether `ip` can be bound here: any address of 127.0.0.0/8 (Linux routes the whole block to
 * the loopback interface), or an address of one of this host's interfaces.
 */
export function isLocalAddress(ip: string): boolean {
  if (isIPv4(ip) && ip.startsWith('127.')) return true;
  const want = canonical(ip);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (canonical(a.address) === want) return true;
  }
  return false;
}
