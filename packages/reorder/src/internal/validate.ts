import { InvalidOptionError } from '../errors.js';

/** Largest window accepted: 2^24 slots (a ring of 16 Mi references, ~128 MiB on 64-bit). */
export const MAX_WINDOW = 1 << 24;

/** Throws `IOCP_ERR_INVALID_OPTION` unless `value` is a power of two in `[1, MAX_WINDOW]`. */
export function validateWindow(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_WINDOW ||
    (value & (value - 1)) !== 0
  ) {
    throw new InvalidOptionError(
      'window',
      `expected a power of two in [1, ${MAX_WINDOW}], got ${String(value)}`,
    );
  }
  return value;
}

/** Throws `IOCP_ERR_INVALID_OPTION` unless `value` is an unsigned 32-bit integer. */
export function validateSeq(option: string, value: unknown): number {
  if (typeof value !== 'number' || value >>> 0 !== value) {
    throw new InvalidOptionError(option, `expected an integer in [0, 2^32), got ${String(value)}`);
  }
  return value;
}
