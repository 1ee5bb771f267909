import { FrameReader } from '@iocp/framing';
import { type RespCodecOptions, type RespRequest, resp } from '../src/index.js';

/** Decode `chunks` in order through a FrameReader; each request as its arguments in latin1. */
export function decodeChunks(chunks: readonly Buffer[], options?: RespCodecOptions): string[][] {
  const reader = new FrameReader(resp(options).createDecoder() as never);
  const out: string[][] = [];
  for (const c of chunks) {
    reader.push(c);
    for (;;) {
      const r = reader.next() as unknown as RespRequest | undefined;
      if (r === undefined) break;
      out.push(r.toArray().map((b) => b.toString('latin1')));
    }
  }
  reader.end();
  return out;
}

/** The error decoding `chunks` throws (fails the test if none). */
export function decodeError(chunks: readonly Buffer[], options?: RespCodecOptions): Error & { code: string; reply?: string } {
  try {
    decodeChunks(chunks, options);
  } catch (error) {
    return error as Error & { code: string; reply?: string };
  }
  throw new Error('expected a decoding error');
}

/** `wire` cut at every position into two chunks, and into 1-byte chunks. */
export function* everySplit(wire: Buffer): Generator<Buffer[]> {
  for (let i = 0; i <= wire.length; i++) yield [wire.subarray(0, i), wire.subarray(i)];
  const ones: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) ones.push(wire.subarray(i, i + 1));
  yield ones;
}

/** A multibulk request for `args`. */
export function mbulk(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
