const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parse a byte size: a whole number with an optional binary suffix (`65536`, `64k`, `1m`,
 * `16MiB`, `1g`; case-insensitive, all suffixes are powers of 1024). The result must lie in
 * `[min, max]`. Throws an `Error` with a human message on bad input.
 */
export function parseSize(text: string, min: number, max: number): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new Error(`'${text}' is not a byte size (examples: 65536, 64k, 1m, 16MiB)`);
  }
  const value = Number(match[1]) * unit;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`'${text}' is out of range ${min}..${max} bytes`);
  }
  return value;
}
