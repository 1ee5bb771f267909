import { FrameReader } from '@iocp/framing';
import type { Codec } from '@iocp/framing';

/** The part of `@iocp/framing`'s FrameReader the port uses. */
export interface FrameSource {
  push(chunk: Buffer): void;
  next(): Buffer | undefined;
  end(): void;
  readonly bufferedBytes: number;
}

/** A fresh incremental reader for one connection of `codec`. */
export function createFrameSource(codec: Codec): FrameSource {
  return new FrameReader(codec.createDecoder());
}
