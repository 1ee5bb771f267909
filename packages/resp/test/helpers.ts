import { FrameReader } from '@iocp/framing';
import { type RespRequest, RespRequestDecoder, respLimitsForTest } from './limits.js';

export { respLimitsForTest };

/** Decode `chunks` in order through a FrameReader; returns the requests as strings (latin1). */
export function decodeChunks(chunks: Buffer[], decoder = new RespRequestDecoder(respLimitsForTest(), false)): string[][] {
  const reader = new FrameReader(decoder as never);
  const out: string[][] = [];
  for (const c of chunks) {
    reader.push(c);
    for (;;) {
      const r = reader.next() as unknown as RespRequest | undefined;
      if (r === undefined) break;
      out.push(r.map((b) => b.toString('latin1')));
    }
  }
  return out;
}
