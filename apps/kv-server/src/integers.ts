import { BulkString } from '@iocp/resp';
import type { Value } from './store.js';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * Parse a signed 64-bit decimal integer as Redis' `string2ll` does: optional `-`, digits, no
 * spaces, no `+`, no leading zeros, at most 20 characters, within int64. Returns a number when
 * it is a safe integer, else a bigint; `undefined` when it is not such an integer.
 */
export function parseInt64(bytes: Buffer | string): number | bigint | undefined {
  const s = typeof bytes === 'string' ? bytes : bytes.length > 20 ? '' : bytes.toString('latin1');
  const n = s.length;
  if (n === 0 || n > 20) return undefined;
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === n) return undefined;
  const first = s.charCodeAt(i);
  if (first === 0x30) return n === 1 ? 0 : undefined;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  if (n <= 15) return Number(s);
  const big = BigInt(s);
  if (big < I64_MIN || big > I64_MAX) return undefined;
  return Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big;
}

/** Parse a stored value as an integer (INCR); `undefined` when it is not one. */
export function valueAsInt(v: Value): number | bigint | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof BulkString) return v.latin1.length > 20 ? undefined : parseInt64(v.latin1);
  return parseInt64(v);
}

/** `a + b` within int64, or `undefined` on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r < I64_MIN || r > I64_MAX) return undefined;
  return Number.isSafeInteger(Number(r)) && BigInt(Number(r)) === r ? Number(r) : r;
}

/** The integer as a stored value: a safe integer as it is, a larger one as its decimal text. */
export function intValue(n: number | bigint): Value {
  return typeof n === 'number' ? n : new BulkString(String(n));
}
