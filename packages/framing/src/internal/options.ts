import { constants } from 'node:buffer';
import { InvalidOptionError } from '../errors.js';

/** Largest frame any codec accepts: the largest Buffer this Node.js can allocate. */
export const MAX_BUFFER_LENGTH = Math.min(constants.MAX_LENGTH, Number.MAX_SAFE_INTEGER);

/** Refuse option keys that the codec does not know (catches typos such as `maxFrameLen`). */
export function checkKeys(
  codec: string,
  opts: object | undefined,
  allowed: readonly string[],
): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object') {
    throw new InvalidOptionError(codec, 'options must be an object');
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(key, `unknown option for ${codec} (known: ${allowed.join(', ')})`);
    }
  }
}

/** An integer option in `[min, max]`, or `fallback` when undefined. */
export function intOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** A boolean option, or `fallback` when undefined. */
export function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(name, `must be a boolean, got ${String(value)}`);
  }
  return value;
}

/** `byteOrder`: `'big'` (default) or `'little'`; returns true for little-endian. */
export function byteOrderOption(value: unknown): boolean {
  if (value === undefined || value === 'big') return false;
  if (value === 'little') return true;
  throw new InvalidOptionError('byteOrder', `must be 'big' or 'little', got ${String(value)}`);
}
