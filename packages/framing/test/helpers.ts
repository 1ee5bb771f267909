
/** Bytes from a mix of strings (latin1/utf8 text) and byte arrays. */
export function bytes(...parts: Array<string | number[] | Uint8Array>): Buffer {
  return Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );
}

/** Run `fn` and return the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * Run `fn` while counting what `Buffer.prototype[method]` is asked to process: for `copy`, the
 * bytes copied; for `indexOf`, the bytes of the buffers searched.
 */
export function measureCalls<T>(
  method: 'copy' | 'indexOf',
  fn: () => T,
): { result: T; bytes: number; calls: number } {
  const proto = Buffer.prototype as unknown as Record<string, (...args: unknown[]) => number>;
  const real = proto[method]!;
  let total = 0;
  let calls = 0;
  proto[method] = function (this: Buffer, ...args: unknown[]): number {
    const n = real.apply(this, args);
    total += method === 'copy' ? n : this.length;
    calls++;
    return n;
  };
  try {
    const result = fn();
    return { result, bytes: total, calls };
  } finally {
    proto[method] = real;
  }
}

