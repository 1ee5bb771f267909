import { RespReplyError } from './errors.js';
import {
  BulkString,
  ErrorReply,
  Resp3,
  RespDouble,
  RespMap,
  RespPush,
  type RespReply,
  RespSet,
  type RespValue,
  SimpleString,
  VerbatimString,
} from './reply.js';

const CRLF_LEN = 2;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const LINE_BREAK = /[\r\n]/g;

/** Decimal digits of a non-negative safe integer. */
function digits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  if (n < 1000000) return 6;
  if (n < 10000000) return 7;
  if (n < 100000000) return 8;
  if (n < 1000000000) return 9;
  return String(n).length;
}

/** Length of a `T<n>\r\n` header. */
function headerLength(n: number): number {
  return 1 + (n < 0 ? 1 + digits(-n) : digits(n)) + CRLF_LEN;
}

function asBuffer(target: Uint8Array): Buffer {
  return Buffer.isBuffer(target) ? target : Buffer.from(target.buffer, target.byteOffset, target.byteLength);
}

/** Write `n` (a safe integer) in decimal at `o`; returns the offset after it. */
function writeInt(t: Buffer, o: number, n: number): number {
  if (n < 0) {
    t[o++] = 0x2d;
    n = -n;
  }
  const len = digits(n);
  let i = o + len;
  const end = i;
  do {
    const q = Math.floor(n / 10);
    t[--i] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  return end;
}

function writeHeader(t: Buffer, o: number, type: number, n: number): number {
  t[o] = type;
  o = writeInt(t, o + 1, n);
  t[o] = 0x0d;
  t[o + 1] = 0x0a;
  return o + 2;
}

function crlf(t: Buffer, o: number): number {
  t[o] = 0x0d;
  t[o + 1] = 0x0a;
  return o + 2;
}

function lineText(text: string): string {
  return text.includes('\r') || text.includes('\n') ? text.replace(LINE_BREAK, ' ') : text;
}

/** The wire form of `+text` / `-text`, cached per instance (replies like `OK` are shared constants). */
const lines = new WeakMap<SimpleString | ErrorReply, Buffer>();
function lineOf(v: SimpleString | ErrorReply): Buffer {
  let wire = lines.get(v);
  if (wire === undefined) {
    wire = Buffer.from(`${v instanceof SimpleString ? '+' : '-'}${lineText(v.text)}\r\n`, 'utf8');
    lines.set(v, wire);
  }
  return wire;
}

function doubleText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

function bigintFits(v: bigint): boolean {
  return v >= I64_MIN && v <= I64_MAX;
}

function bad(v: unknown): RespReplyError {
  const what = typeof v === 'number' ? `the number ${v} (integers only; use RespDouble)` : `a value of type ${v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}`;
  return new RespReplyError(`cannot encode ${what} as a RESP reply`);
}

/** Wire length of `v` in RESP3 (`v3`) or RESP2. */
function sizeOf(v: RespValue, v3: boolean): number {
  if (v === null) return v3 ? 3 : 5;
  switch (typeof v) {
    case 'number':
      if (!Number.isSafeInteger(v)) throw bad(v);
      return headerLength(v);
    case 'string': {
      const n = Buffer.byteLength(v, 'utf8');
      return headerLength(n) + n + CRLF_LEN;
    }
    case 'boolean':
      return v3 ? 4 : 4;
    case 'bigint': {
      const s = v.toString();
      if (bigintFits(v) || v3) return 1 + s.length + CRLF_LEN;
      return headerLength(s.length) + s.length + CRLF_LEN;
    }
    case 'object':
      break;
    default:
      throw bad(v);
  }
  if (v instanceof Uint8Array) return headerLength(v.length) + v.length + CRLF_LEN;
  if (v instanceof BulkString) {
    const n = v.latin1.length;
    return headerLength(n) + n + CRLF_LEN;
  }
  if (v instanceof SimpleString || v instanceof ErrorReply) return lineOf(v).length;
  if (Array.isArray(v)) return sizeOfItems('*', v as readonly RespValue[], v3);
  if (v instanceof RespMap) {
    let n = headerLength(v3 ? v.entries.length : v.entries.length * 2);
    for (const [k, x] of v.entries) n += sizeOf(k, v3) + sizeOf(x, v3);
    return n;
  }
  if (v instanceof RespSet) return sizeOfItems('~', v.items, v3);
  if (v instanceof RespPush) return sizeOfItems('>', v.items, v3);
  if (v instanceof RespDouble) {
    const n = doubleText(v.value).length;
    return v3 ? 1 + n + CRLF_LEN : headerLength(n) + n + CRLF_LEN;
  }
  if (v instanceof VerbatimString) {
    if (v.format.length !== 3) throw new RespReplyError(`a verbatim string's format must be 3 characters, got '${v.format}'`);
    const n = Buffer.byteLength(v.text, 'utf8') + (v3 ? 4 : 0);
    return headerLength(n) + n + CRLF_LEN;
  }
  throw bad(v);
}

function sizeOfItems(_type: string, items: readonly RespValue[], v3: boolean): number {
  let n = headerLength(items.length);
  for (let i = 0; i < items.length; i++) n += sizeOf(items[i] as RespValue, v3);
  return n;
}

function writeBytes(t: Buffer, o: number, bytes: Uint8Array): number {
  o = writeHeader(t, o, 0x24, bytes.length);
  t.set(bytes, o);
  return crlf(t, o + bytes.length);
}

function writeValue(v: RespValue, v3: boolean, t: Buffer, o: number): number {
  if (v === null) {
    if (v3) {
      t[o] = 0x5f;
      return crlf(t, o + 1);
    }
    t[o] = 0x24;
    t[o + 1] = 0x2d;
    t[o + 2] = 0x31;
    return crlf(t, o + 3);
  }
  switch (typeof v) {
    case 'number':
      return writeHeader(t, o, 0x3a, v);
    case 'string': {
      const n = Buffer.byteLength(v, 'utf8');
      o = writeHeader(t, o, 0x24, n);
      o += t.write(v, o, n, 'utf8');
      return crlf(t, o);
    }
    case 'boolean':
      if (v3) {
        t[o] = 0x23;
        t[o + 1] = v ? 0x74 : 0x66;
      } else {
        t[o] = 0x3a;
        t[o + 1] = v ? 0x31 : 0x30;
      }
      return crlf(t, o + 2);
    case 'bigint': {
      const s = v.toString();
      const fits = bigintFits(v);
      if (fits || v3) {
        t[o] = fits ? 0x3a : 0x28;
        o += 1 + t.write(s, o + 1, s.length, 'latin1');
        return crlf(t, o);
      }
      o = writeHeader(t, o, 0x24, s.length);
      o += t.write(s, o, s.length, 'latin1');
      return crlf(t, o);
    }
    default:
      break;
  }
  if (v instanceof Uint8Array) return writeBytes(t, o, v);
  if (v instanceof BulkString) {
    const s = v.latin1;
    o = writeHeader(t, o, 0x24, s.length);
    o += t.write(s, o, s.length, 'latin1');
    return crlf(t, o);
  }
  if (v instanceof SimpleString || v instanceof ErrorReply) {
    const wire = lineOf(v);
    t.set(wire, o);
    return o + wire.length;
  }
  if (Array.isArray(v)) return writeItems(0x2a, v as readonly RespValue[], v3, t, o);
  if (v instanceof RespMap) {
    o = writeHeader(t, o, v3 ? 0x25 : 0x2a, v3 ? v.entries.length : v.entries.length * 2);
    for (const [k, x] of v.entries) {
      o = writeValue(k, v3, t, o);
      o = writeValue(x, v3, t, o);
    }
    return o;
  }
  if (v instanceof RespSet) return writeItems(v3 ? 0x7e : 0x2a, v.items, v3, t, o);
  if (v instanceof RespPush) return writeItems(v3 ? 0x3e : 0x2a, v.items, v3, t, o);
  if (v instanceof RespDouble) {
    const s = doubleText(v.value);
    if (v3) {
      t[o] = 0x2c;
      o += 1 + t.write(s, o + 1, s.length, 'latin1');
      return crlf(t, o);
    }
    o = writeHeader(t, o, 0x24, s.length);
    o += t.write(s, o, s.length, 'latin1');
    return crlf(t, o);
  }
  if (v instanceof VerbatimString) {
    const n = Buffer.byteLength(v.text, 'utf8');
    if (v3) {
      o = writeHeader(t, o, 0x3d, n + 4);
      o += t.write(`${v.format}:`, o, 4, 'latin1');
    } else {
      o = writeHeader(t, o, 0x24, n);
    }
    o += t.write(v.text, o, n, 'utf8');
    return crlf(t, o);
  }
  throw bad(v);
}

function writeItems(type: number, items: readonly RespValue[], v3: boolean, t: Buffer, o: number): number {
  o = writeHeader(t, o, type, items.length);
  for (let i = 0; i < items.length; i++) o = writeValue(items[i] as RespValue, v3, t, o);
  return o;
}

const CRLF = Buffer.from('\r\n');
/** Longest head `encodeParts` writes: `$` + 20 digits + CRLF, rounded up. */
const MAX_HEAD = 32;
/** A byte string at least this long inside an aggregate reply goes out as it is. */
const PART_MIN = 4096;

function itemsOf(v: RespValue): readonly RespValue[] | undefined {
  if (Array.isArray(v)) return v as readonly RespValue[];
  return v instanceof RespSet || v instanceof RespPush ? v.items : undefined;
}

/** Whether `v` holds a byte string of at least {@link PART_MIN} bytes (sent as it is). */
function hasLarge(v: RespValue): boolean {
  if (v instanceof Uint8Array) return v.length >= PART_MIN;
  const items = itemsOf(v);
  return items?.some(hasLarge) === true;
}

/**
 * Append the wire form of `v` to `payloads` with byte strings of at least {@link PART_MIN}
 * bytes as they are; each run of other elements between them is encoded into one buffer.
 */
function partsOf(v: RespValue, v3: boolean, payloads: Uint8Array[]): void {
  if (v instanceof Uint8Array && v.length >= PART_MIN) {
    const head = Buffer.allocUnsafe(headerLength(v.length));
    writeHeader(head, 0, 0x24, v.length);
    payloads.push(head, v, CRLF);
    return;
  }
  const items = itemsOf(v);
  if (items === undefined || !hasLarge(v)) {
    const own = Buffer.allocUnsafe(sizeOf(v, v3));
    writeValue(v, v3, own, 0);
    payloads.push(own);
    return;
  }
  const type = Array.isArray(v) || !v3 ? 0x2a : v instanceof RespSet ? 0x7e : 0x3e;
  const head = Buffer.allocUnsafe(headerLength(items.length));
  writeHeader(head, 0, type, items.length);
  payloads.push(head);
  let i = 0;
  while (i < items.length) {
    if (hasLarge(items[i] as RespValue)) {
      partsOf(items[i] as RespValue, v3, payloads);
      i++;
      continue;
    }
    let j = i;
    let size = 0;
    while (j < items.length && !hasLarge(items[j] as RespValue)) size += sizeOf(items[j++] as RespValue, v3);
    const run = Buffer.allocUnsafe(size);
    let o = 0;
    for (; i < j; i++) o = writeValue(items[i] as RespValue, v3, run, o);
    payloads.push(run);
  }
}

/**
 * The RESP reply encoder: stateless, shared by every connection. A reply is encoded in RESP2
 * unless it is wrapped in {@link Resp3}.
 */
export const respEncoder = {
  /**
   * Wire length of `reply`.
   *
   * @throws {@link RespReplyError} (`IOCP_ERR_RESP_REPLY`) for a value that is not a reply.
   */
  encodedLength(reply: RespReply): number {
    return reply instanceof Resp3 ? sizeOf(reply.value, true) : sizeOf(reply, false);
  },

  /** Write `reply` at `offset` (`encodedLength(reply)` bytes of room guaranteed); returns the offset after it. */
  encodeInto(reply: RespReply, target: Uint8Array, offset: number): number {
    const t = asBuffer(target);
    return reply instanceof Resp3 ? writeValue(reply.value, true, t, offset) : writeValue(reply, false, t, offset);
  },

  /**
   * A large reply without copying its values: the head (a bulk's `$<len>\r\n`, an array's
   * `*<n>\r\n`) into `target` at `offset`, then every byte string of 4 KiB or more appended to
   * `payloads` as it is (a 64 MiB value is sent from where it is stored), with the small runs
   * between them encoded into buffers of their own. Returns the offset after the head.
   */
  encodeParts(reply: RespReply, target: Uint8Array, offset: number, payloads: Uint8Array[]): number {
    const v3 = reply instanceof Resp3;
    const v = reply instanceof Resp3 ? reply.value : reply;
    const t = asBuffer(target);
    if (v instanceof Uint8Array) {
      const end = writeHeader(t, offset, 0x24, v.length);
      payloads.push(v, CRLF);
      return end;
    }
    const first = payloads.length;
    partsOf(v, v3, payloads);
    // The first part becomes the head when it is short (an aggregate's header); else the head is empty.
    const head = payloads[first] as Uint8Array;
    if (head.length <= MAX_HEAD && payloads.length > first + 1) {
      t.set(head, offset);
      payloads.splice(first, 1);
      return offset + head.length;
    }
    return offset;
  },

  /** Longest head `encodeParts` writes. */
  maxPrefixLength: MAX_HEAD,
};



