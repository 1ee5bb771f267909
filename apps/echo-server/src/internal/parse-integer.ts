/**
 * Parse a whole decimal number in `[min, max]`. Throws an `Error` with a human message on bad
 * input (signs, fractions, exponents and empty strings are refused).
 */
export function parseInteger(text: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(text.trim())) throw new Error(`'${text}' is not a whole number`);
  const value = Number(text.trim());
  if (value < min || value > max) throw new Error(`'${text}' is out of range ${min}..${max}`);
  return value;
}
