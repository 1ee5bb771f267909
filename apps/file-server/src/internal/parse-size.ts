const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parse a byte count with an optional binary suffix (`512`, `64k`, `16m`, `2g`, `1t`). */
export function parseSize(text: string, min: number, max: number): number {
  const m = /^(\d+)([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a size (digits with an optional k, m, g or t suffix)`);
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${text} is out of range ${min}..${max}`);
  return n;
}
