const KIB = 1024;
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: KIB,
  kb: KIB,
  kib: KIB,
  m: KIB ** 2,
  mb: KIB ** 2,
  mib: KIB ** 2,
  g: KIB ** 3,
  gb: KIB ** 3,
  gib: KIB ** 3,
  t: KIB ** 4,
  tb: KIB ** 4,
  tib: KIB ** 4,
};

/**
 * Parse a byte size: a whole decimal number with an optional binary suffix — `65536`, `64k`,
 * `1m`, `16MiB`, `2g`, `1t` (case-insensitive; `k`, `kb` and `kib` all mean 1024, likewise `m`,
 * `g`, `t`; a space may stand before the suffix). The result must be a safe integer in
 * `[min, max]`.
 *
 * Throws a plain `Error` with a one-line human message (meant to be wrapped by
 * {@link optionParser} into commander's "option ... argument ... is invalid" usage error).
 */
export function parseByteSize(text: string, min: number, max: number): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new Error(`'${text}' is not a size (digits with an optional k, m, g or t suffix: 65536, 64k, 1m, 16MiB)`);
  }
  const value = Number(match[1]) * unit;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`'${text}' is out of range ${min}..${max} bytes`);
  }
  return value;
}
