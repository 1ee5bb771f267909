import { SocketAddress, isIPv4, isIPv6 } from 'node:net';
import { ProxyHeaderError } from '../errors.js';
import type { ProxyHeader, ProxyHeaderSsl, ProxyHeaderTlv } from '../types.js';

/**
 * The PROXY protocol (HAProxy's specification, versions 1 and 2): an incremental reader that
 * takes socket chunks and never holds more than one header, and the encoder the client side
 * sends.
 *
 * ```
 * v1:  "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"   (at most 107 bytes with CRLF)
 * v2:  0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A | ver/cmd | fam/proto | len (u16 BE) | addresses | TLVs
 *      └────────────── signature (12) ─────────────┘    0x21 PROXY   0x11 TCP4
 *                                                      0x20 LOCAL   0x21 TCP6   total = 16 + len
 * ```
 */

/** Longest v1 line the specification allows, CRLF included. */
export const V1_MAX_BYTES = 107;
/** The fixed part of a v2 header: signature, version/command, family/protocol, length. */
export const V2_FIXED_BYTES = 16;
/** Largest v2 header the wire format can express (16 + 65535). */
export const V2_WIRE_MAX_BYTES = V2_FIXED_BYTES + 0xffff;
/** Smallest allowed `maxHeaderBytes`: a v2 header with two UNIX addresses (16 + 216) and room for small TLVs. */
export const MIN_HEADER_LIMIT = 256;
/** Default bound on one header: enough for the addresses and every TLV HAProxy sends except a client certificate. */
export const DEFAULT_HEADER_LIMIT = 4096;

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_SIGNATURE = Buffer.from('PROXY ', 'latin1');

const CMD_LOCAL = 0x0;
const CMD_PROXY = 0x1;
const AF_UNSPEC = 0x0;
const AF_INET = 0x1;
const AF_INET6 = 0x2;
const AF_UNIX = 0x3;
const PROTO_STREAM = 0x1;

const PP2_TYPE_ALPN = 0x01;
const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_CRC32C = 0x03;
const PP2_TYPE_UNIQUE_ID = 0x05;
const PP2_TYPE_SSL = 0x20;
const PP2_TYPE_NETNS = 0x30;
const PP2_SUBTYPE_SSL_VERSION = 0x21;
const PP2_SUBTYPE_SSL_CN = 0x22;
const PP2_SUBTYPE_SSL_CIPHER = 0x23;
const PP2_SUBTYPE_SSL_SIG_ALG = 0x24;
const PP2_SUBTYPE_SSL_KEY_ALG = 0x25;
const PP2_SUBTYPE_SSL_GROUP = 0x26;
const PP2_SUBTYPE_SSL_SIG_SCHEME = 0x27;
const PP2_SUBTYPE_SSL_CLIENT_CERT = 0x28;
/** The specification caps a unique id at 128 bytes. */
const UNIQUE_ID_MAX = 128;

/** Bit of a versions mask. */
export const V1 = 1;
export const V2 = 2;

/** What {@link ProxyHeaderReader.push} found. */
export const NEED_MORE = 0;
/** A whole header: `header` and `rest` are set. */
export const HEADER = 1;
/** The stream does not start with a PROXY signature (only when the header is optional): `rest` holds every byte read. */
export const NONE = 2;

// ---------------------------------------------------------------- CRC32C (RFC 4960 appendix B)

let crcTable: Uint32Array | undefined;

/** CRC32C (Castagnoli) of `bytes`, as the PP2_TYPE_CRC32C TLV carries it. */
export function crc32c(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- addresses

const V1_PORT = /^(?:0|[1-9][0-9]{0,4})$/;
const V1_IPV4 = /^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$/;
const V1_IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

function fail(message: string): never {
  throw new ProxyHeaderError(`PROXY header: ${message}`);
}

function v1Port(text: string, what: string): number {
  if (!V1_PORT.test(text) || Number(text) > 65535) fail(`v1 ${what} port '${printable(text)}' is not a decimal 0..65535 without leading zeros`);
  return Number(text);
}

function v1Address(text: string, v6: boolean, what: string): string {
  if (v6) {
    if (!V1_IPV6_CHARS.test(text) || !isIPv6(text)) fail(`v1 ${what} address '${printable(text)}' is not an IPv6 address`);
    return canonicalIpv6(text);
  }
  if (!V1_IPV4.test(text) || !isIPv4(text)) fail(`v1 ${what} address '${printable(text)}' is not a canonical IPv4 address`);
  return text;
}

/** Compressed lower-case form (RFC 5952), so one client has one per-IP key whatever the sender wrote. */
function canonicalIpv6(text: string): string {
  return new SocketAddress({ address: text, family: 'ipv6' }).address;
}

function ipv6FromBytes(b: Buffer, at: number): string {
  let text = '';
  for (let i = 0; i < 16; i += 2) text += `${i === 0 ? '' : ':'}${b.readUInt16BE(at + i).toString(16)}`;
  return canonicalIpv6(text);
}

function ipv4FromBytes(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** Control characters and non-ASCII shown escaped, so a garbage header stays one log line. */
function printable(text: string): string {
  const shown = JSON.stringify(text).slice(1, -1);
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

// ---------------------------------------------------------------- v1

/** Parse one complete v1 line (`line` ends with CRLF). */
export function parseV1(line: Buffer): ProxyHeader {
  const text = line.toString('latin1', 0, line.length - 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) fail(`v1 line holds a control or non-ASCII byte at ${i}`);
  }
  const parts = text.split(' ');
  if (parts[0] !== 'PROXY') fail('v1 line does not start with "PROXY "');
  const proto = parts[1];
  if (proto === 'UNKNOWN') {
    // The receiver must ignore anything before the CRLF: use the real endpoints.
    return baseHeader(1, 'proxy', 'unspec', line.length);
  }
  if (proto !== 'TCP4' && proto !== 'TCP6') fail(`v1 protocol '${printable(proto ?? '')}' is not TCP4, TCP6 or UNKNOWN`);
  if (parts.length !== 6) fail(`v1 ${proto} line has ${parts.length - 2} fields, not 4 (single spaces only)`);
  const v6 = proto === 'TCP6';
  const header = baseHeader(1, 'proxy', v6 ? 'IPv6' : 'IPv4', line.length);
  header.sourceAddress = v1Address(parts[2]!, v6, 'source');
  header.destinationAddress = v1Address(parts[3]!, v6, 'destination');
  header.sourcePort = v1Port(parts[4]!, 'source');
  header.destinationPort = v1Port(parts[5]!, 'destination');
  return header;
}

type MutableHeader = { -readonly [K in keyof ProxyHeader]: ProxyHeader[K] };

function baseHeader(version: 1 | 2, command: 'proxy' | 'local', family: ProxyHeader['family'], length: number): MutableHeader {
  return {
    version,
    command,
    family,
    length,
    sourceAddress: undefined,
    sourcePort: undefined,
    destinationAddress: undefined,
    destinationPort: undefined,
    tlvs: [],
    alpn: undefined,
    authority: undefined,
    uniqueId: undefined,
    ssl: undefined,
    netns: undefined,
  };
}

// ---------------------------------------------------------------- v2

/** Parse one complete v2 header (`h` is exactly 16 + its length field bytes). */
export function parseV2(h: Buffer): ProxyHeader {
  const verCmd = h[12]!;
  if (verCmd >> 4 !== 2) fail(`v2 version ${verCmd >> 4} is not 2`);
  const cmd = verCmd & 0x0f;
  if (cmd !== CMD_LOCAL && cmd !== CMD_PROXY) fail(`v2 command ${cmd} is neither LOCAL (0) nor PROXY (1)`);
  const famProto = h[13]!;
  const fam = famProto >> 4;
  const proto = famProto & 0x0f;
  if (fam > AF_UNIX) fail(`v2 address family ${fam} is unknown`);
  if (proto > 2) fail(`v2 transport protocol ${proto} is unknown`);
  const len = h.readUInt16BE(14);
  if (cmd === CMD_LOCAL) {
    // The receiver must use the real endpoints and skip the whole block, family included.
    return baseHeader(2, 'local', 'unspec', h.length);
  }
  const need = fam === AF_INET ? 12 : fam === AF_INET6 ? 36 : fam === AF_UNIX ? 216 : 0;
  if (len < need) fail(`v2 length ${len} is shorter than the ${need}-byte address block of family ${fam}`);
  // Only TCP over IPv4/IPv6 carries endpoints we can use; other valid combinations fall back to
  // UNSPEC (the real endpoints), as the specification allows.
  const usable = proto === PROTO_STREAM && (fam === AF_INET || fam === AF_INET6);
  const header = baseHeader(2, 'proxy', usable ? (fam === AF_INET ? 'IPv4' : 'IPv6') : 'unspec', h.length);
  if (usable && fam === AF_INET) {
    header.sourceAddress = ipv4FromBytes(h, 16);
    header.destinationAddress = ipv4FromBytes(h, 20);
    header.sourcePort = h.readUInt16BE(24);
    header.destinationPort = h.readUInt16BE(26);
  } else if (usable) {
    header.sourceAddress = ipv6FromBytes(h, 16);
    header.destinationAddress = ipv6FromBytes(h, 32);
    header.sourcePort = h.readUInt16BE(48);
    header.destinationPort = h.readUInt16BE(50);
  }
  parseTlvs(h, V2_FIXED_BYTES + need, header);
  return header;
}

function parseTlvs(h: Buffer, from: number, header: MutableHeader): void {
  const tlvs: ProxyHeaderTlv[] = [];
  let at = from;
  while (at < h.length) {
    if (at + 3 > h.length) fail(`v2 TLV at offset ${at} is cut (needs 3 bytes, ${h.length - at} left)`);
    const type = h[at]!;
    const len = h.readUInt16BE(at + 1);
    const start = at + 3;
    if (start + len > h.length) fail(`v2 TLV 0x${type.toString(16)} announces ${len} bytes, ${h.length - start} left`);
    // A copy: the header's chunk belongs to the socket and the TLVs live as long as the connection.
    const value = Buffer.from(h.subarray(start, start + len));
    tlvs.push({ type, value });
    switch (type) {
      case PP2_TYPE_ALPN:
        header.alpn = value.toString('latin1');
        break;
      case PP2_TYPE_AUTHORITY:
        header.authority = value.toString('utf8');
        break;
      case PP2_TYPE_CRC32C: {
        if (len !== 4) fail(`v2 CRC32C TLV is ${len} bytes, not 4`);
        const sent = h.readUInt32BE(start);
        const copy = Buffer.from(h);
        copy.writeUInt32BE(0, start);
        const computed = crc32c(copy);
        if (computed !== sent) fail(`v2 CRC32C mismatch (sent 0x${sent.toString(16)}, computed 0x${computed.toString(16)})`);
        break;
      }
      case PP2_TYPE_UNIQUE_ID:
        if (len > UNIQUE_ID_MAX) fail(`v2 unique id is ${len} bytes, over ${UNIQUE_ID_MAX}`);
        header.uniqueId = value;
        break;
      case PP2_TYPE_SSL:
        header.ssl = parseSsl(value);
        break;
      case PP2_TYPE_NETNS:
        header.netns = value.toString('latin1');
        break;
      default:
        break;
    }
    at = start + len;
  }
  header.tlvs = tlvs;
}

function parseSsl(v: Buffer): ProxyHeaderSsl {
  if (v.length < 5) fail(`v2 SSL TLV is ${v.length} bytes, under the 5 of client and verify`);
  const ssl: { -readonly [K in keyof ProxyHeaderSsl]: ProxyHeaderSsl[K] } = {
    client: v[0]!,
    verify: v.readUInt32BE(1),
    version: undefined,
    cn: undefined,
    cipher: undefined,
    sigAlg: undefined,
    keyAlg: undefined,
    group: undefined,
    sigScheme: undefined,
    clientCert: undefined,
  };
  let at = 5;
  while (at < v.length) {
    if (at + 3 > v.length) fail(`v2 SSL sub-TLV at offset ${at} is cut`);
    const type = v[at]!;
    const len = v.readUInt16BE(at + 1);
    const start = at + 3;
    if (start + len > v.length) fail(`v2 SSL sub-TLV 0x${type.toString(16)} announces ${len} bytes, ${v.length - start} left`);
    const s = v.subarray(start, start + len);
    if (type === PP2_SUBTYPE_SSL_VERSION) ssl.version = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_CN) ssl.cn = s.toString('utf8');
    else if (type === PP2_SUBTYPE_SSL_CIPHER) ssl.cipher = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_SIG_ALG) ssl.sigAlg = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_KEY_ALG) ssl.keyAlg = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_GROUP) ssl.group = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_SIG_SCHEME) ssl.sigScheme = s.toString('latin1');
    else if (type === PP2_SUBTYPE_SSL_CLIENT_CERT) ssl.clientCert = s;
    at = start + len;
  }
  return ssl;
}

// ---------------------------------------------------------------- the incremental reader

/** {@link ProxyHeaderReader}'s decision when the stream starts with neither signature. */
const NOT_A_HEADER = -1;
const MISMATCH = 0;
const PARTIAL = 1;
const FULL = 2;

/** Whether `b[0..n)` starts with `sig` (FULL), is a proper prefix of it (PARTIAL), or neither. */
function prefixMatch(b: Buffer, n: number, sig: Buffer): number {
  const k = Math.min(n, sig.length);
  for (let i = 0; i < k; i++) if (b[i] !== sig[i]) return MISMATCH;
  return n >= sig.length ? FULL : PARTIAL;
}

/**
 * Reads one PROXY header off the front of a byte stream, chunk by chunk.
 *
 * Memory: when a chunk holds the whole header (the usual case: senders write it at once) it is
 * parsed in place; otherwise the bytes are gathered into one buffer that never grows past the
 * header (v1: 107 bytes; v2: 16, then exactly 16 + length, refused above `maxHeaderBytes`).
 * Bytes after the header are returned as a view (`rest`), never copied.
 */
export class ProxyHeaderReader {
  /** Set when `push` returned {@link HEADER}. */
  header: ProxyHeader | undefined = undefined;
  /** Bytes after the header (HEADER) or every byte read (NONE); undefined when there are none. */
  rest: Buffer | undefined = undefined;
  private acc: Buffer | null = null;
  private have = 0;
  /** 0 = undecided, V1 or V2 once the signature matched. */
  private kind = 0;

  constructor(
    /** Mask of accepted versions ({@link V1} | {@link V2}). */
    private readonly versions: number,
    /** Longest header accepted (v2; v1 is always at most 107 bytes). */
    private readonly maxHeaderBytes: number,
    /** When false, a stream that does not start with a signature is {@link NONE}, not an error. */
    readonly required: boolean,
  ) {}

  /** Bytes held while waiting for the rest of the header. */
  get bufferedBytes(): number {
    return this.have;
  }

  /**
   * Feed the next chunk. Returns {@link NEED_MORE}, {@link HEADER} or {@link NONE}; throws
   * `ProxyHeaderError` (`IOCP_ERR_PROXY_HEADER`) on anything the specification says to drop.
   * Once it returned HEADER or NONE it must not be fed again.
   */
  push(chunk: Buffer): number {
    if (chunk.length === 0) return NEED_MORE;
    if (this.have === 0 && this.kind === 0) {
      // Fast path: the whole header (or the decision) is in this chunk.
      const r = this.decide(chunk, chunk.length);
      if (r === NOT_A_HEADER) {
        this.rest = chunk;
        return NONE;
      }
      if (r !== 0) this.kind = r;
      if (this.kind !== 0) {
        const end = this.headerEnd(chunk, chunk.length);
        if (end > 0) return this.finish(chunk.subarray(0, end), chunk, end);
      }
    }
    return this.gather(chunk);
  }

  /** The stream ended before the header was complete. */
  truncated(): ProxyHeaderError {
    if (this.have === 0) return new ProxyHeaderError('PROXY header: the peer closed before sending one');
    return new ProxyHeaderError(`PROXY header: the peer closed after ${this.have} bytes of an incomplete header`);
  }

  private gather(chunk: Buffer): number {
    let used = 0;
    while (used < chunk.length) {
      if (this.kind === 0) {
        // Still matching the signature: take bytes one at a time into a small buffer.
        this.ensure(V2_FIXED_BYTES);
        this.acc![this.have++] = chunk[used++]!;
        const r = this.decide(this.acc!, this.have);
        if (r === NOT_A_HEADER) {
          const held = Buffer.from(this.acc!.subarray(0, this.have));
          this.rest = used < chunk.length ? Buffer.concat([held, chunk.subarray(used)]) : held;
          this.have = 0;
          this.acc = null;
          return NONE;
        }
        if (r !== 0) this.kind = r;
        continue;
      }
      const target = this.targetLength();
      if (target < 0) {
        // v1: up to the CRLF; v2 before the length is known: up to the fixed part.
        const cap = this.kind === V1 ? V1_MAX_BYTES : V2_FIXED_BYTES;
        this.ensure(cap);
        const take = Math.min(cap - this.have, chunk.length - used);
        chunk.copy(this.acc!, this.have, used, used + take);
        const before = this.have;
        this.have += take;
        used += take;
        if (this.kind === V1) {
          const end = this.headerEnd(this.acc!, this.have, before);
          if (end > 0) {
            // Give back the bytes copied past the CRLF.
            const extra = this.have - end;
            return this.finish(this.acc!.subarray(0, end), chunk, used - extra);
          }
        }
        continue;
      }
      this.ensure(target);
      const take = Math.min(target - this.have, chunk.length - used);
      chunk.copy(this.acc!, this.have, used, used + take);
      this.have += take;
      used += take;
      if (this.have === target) return this.finish(this.acc!.subarray(0, target), chunk, used);
    }
    return NEED_MORE;
  }

  /** v2 with the fixed part read: the whole header's length (checked); else -1. */
  private targetLength(): number {
    if (this.kind !== V2 || this.have < V2_FIXED_BYTES) return -1;
    return this.v2Length(this.acc!);
  }

  private v2Length(b: Buffer): number {
    const total = V2_FIXED_BYTES + b.readUInt16BE(14);
    if (total > this.maxHeaderBytes) fail(`v2 header of ${total} bytes is over the ${this.maxHeaderBytes}-byte limit`);
    return total;
  }

  /** Grow the gathering buffer to `n` bytes (never above one header). */
  private ensure(n: number): void {
    if (this.acc !== null && this.acc.length >= n) return;
    const next = Buffer.allocUnsafe(n);
    if (this.acc !== null) this.acc.copy(next, 0, 0, this.have);
    this.acc = next;
  }

  /**
   * Which protocol `b[0..n)` starts with: V1, V2, NOT_A_HEADER, or 0 while a signature prefix matches
   * and more bytes are needed. Throws for a signature of a version that is not accepted.
   */
  private decide(b: Buffer, n: number): number {
    const m1 = prefixMatch(b, n, V1_SIGNATURE);
    const m2 = prefixMatch(b, n, V2_SIGNATURE);
    if (m1 === FULL) {
      if ((this.versions & V1) === 0) fail('a v1 header arrived but this listener accepts v2 only');
      return V1;
    }
    if (m2 === FULL) {
      if ((this.versions & V2) === 0) fail('a v2 header arrived but this listener accepts v1 only');
      return V2;
    }
    if (m1 === PARTIAL || m2 === PARTIAL) return 0;
    if (this.required) fail(`no PROXY header (the stream starts with 0x${b.subarray(0, Math.min(n, 8)).toString('hex')})`);
    return NOT_A_HEADER;
  }

  /** End of the header in `b[0..n)` (exclusive) if it is all there, else 0. `from`: v1 bytes already searched. */
  private headerEnd(b: Buffer, n: number, from = 0): number {
    if (this.kind === V2) {
      if (n < V2_FIXED_BYTES) return 0;
      const total = this.v2Length(b);
      return n >= total ? total : 0;
    }
    const limit = Math.min(n, V1_MAX_BYTES);
    for (let i = Math.max(from - 1, V1_SIGNATURE.length); i < limit; i++) {
      const c = b[i]!;
      if (c === 0x0d) {
        if (i + 1 >= limit) break;
        if (b[i + 1] !== 0x0a) fail('v1 line has a CR without LF');
        return i + 2;
      }
      if (c === 0x0a) fail('v1 line has an LF without CR');
    }
    if (n >= V1_MAX_BYTES) fail(`v1 line has no CRLF in its first ${V1_MAX_BYTES} bytes`);
    return 0;
  }

  private finish(headerBytes: Buffer, chunk: Buffer, restFrom: number): number {
    this.header = this.kind === V1 ? parseV1(headerBytes) : parseV2(headerBytes);
    this.rest = restFrom < chunk.length ? chunk.subarray(restFrom) : undefined;
    this.acc = null;
    this.have = 0;
    return HEADER;
  }
}

// ---------------------------------------------------------------- encoder (client side)

/** What the client side puts in the header it sends. */
export interface ProxyHeaderSpec {
  readonly version: 1 | 2;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly destinationAddress: string;
  readonly destinationPort: number;
  /** v2 only: TLVs appended after the addresses. */
  readonly tlvs?: readonly ProxyHeaderTlv[] | undefined;
}

function ipv6Bytes(address: string, into: Buffer, at: number): void {
  const canonical = canonicalIpv6(address);
  // Expand "a::b" into eight groups (a trailing dotted quad becomes two groups first).
  let text = canonical;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head === '' || head === undefined ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < 8; i++) into.writeUInt16BE(Number.parseInt(groups[i] ?? '0', 16), at + 2 * i);
}

/** The bytes of a v1 or v2 PROXY header (command PROXY, TCP over IPv4 or IPv6). Addresses must be IP literals of one family. */
export function encodeProxyHeader(spec: ProxyHeaderSpec): Buffer {
  const v6 = isIPv6(spec.sourceAddress);
  if (spec.version === 1) {
    const src = v6 ? canonicalIpv6(spec.sourceAddress) : spec.sourceAddress;
    const dst = v6 ? canonicalIpv6(spec.destinationAddress) : spec.destinationAddress;
    return Buffer.from(`PROXY ${v6 ? 'TCP6' : 'TCP4'} ${src} ${dst} ${spec.sourcePort} ${spec.destinationPort}\r\n`, 'latin1');
  }
  const addrLen = v6 ? 36 : 12;
  let tlvLen = 0;
  for (const t of spec.tlvs ?? []) tlvLen += 3 + t.value.length;
  const b = Buffer.alloc(V2_FIXED_BYTES + addrLen + tlvLen);
  V2_SIGNATURE.copy(b, 0);
  b[12] = 0x20 | CMD_PROXY;
  b[13] = ((v6 ? AF_INET6 : AF_INET) << 4) | PROTO_STREAM;
  b.writeUInt16BE(addrLen + tlvLen, 14);
  if (v6) {
    ipv6Bytes(spec.sourceAddress, b, 16);
    ipv6Bytes(spec.destinationAddress, b, 32);
    b.writeUInt16BE(spec.sourcePort, 48);
    b.writeUInt16BE(spec.destinationPort, 50);
  } else {
    const s = spec.sourceAddress.split('.').map(Number);
    const d = spec.destinationAddress.split('.').map(Number);
    for (let i = 0; i < 4; i++) {
      b[16 + i] = s[i]!;
      b[20 + i] = d[i]!;
    }
    b.writeUInt16BE(spec.sourcePort, 24);
    b.writeUInt16BE(spec.destinationPort, 26);
  }
  let at = V2_FIXED_BYTES + addrLen;
  for (const t of spec.tlvs ?? []) {
    b[at] = t.type;
    b.writeUInt16BE(t.value.length, at + 1);
    Buffer.from(t.value).copy(b, at + 3);
    at += 3 + t.value.length;
  }
  return b;
}

/** A LOCAL v2 header (what a balancer's health check sends); for tests and health checkers. */
export function encodeLocalHeader(): Buffer {
  const b = Buffer.alloc(V2_FIXED_BYTES);
  V2_SIGNATURE.copy(b, 0);
  b[12] = 0x20 | CMD_LOCAL;
  b[13] = AF_UNSPEC;
  return b;
}
