/**
 * Parse a whole decimal number in `[min, max]` (counts, milliseconds, ports of a flag).
 * Signs, fractions, exponents, hex and empty text are refused; surrounding spaces are ignored;
 * at most 16 digits (every such number up to `Number.MAX_SAFE_INTEGER` fits).
 *
 * Throws a plain `Error` with a one-line human message (wrap with {@link optionParser}).
 */
export function parseInteger(text: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed)) throw new Error(`'${text}' is not a whole number`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`'${text}' is out of range ${min}..${max}`);
  return value;
}
