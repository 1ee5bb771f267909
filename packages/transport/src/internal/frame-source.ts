import { FrameReader } from '@iocp/framing';
import type { Codec, FrameParts } from '@iocp/framing';

/** The part of `@iocp/framing`'s FrameReader the port uses. */
export interface FrameSource {
  push(chunk: Buffer): void;
  nextFrame(): Buffer | FrameParts | undefined;
  end(): void;
  readonly bufferedBytes: number;
}

const PARTS = { spanning: 'parts' } as const;

/**
 * A fresh incremental reader for one connection of `codec`. With `parts` (the handler has
 * `onMessageParts`) frames that span chunks come as views, not copies.
 */
export function createFrameSource(codec: Codec, parts: boolean): FrameSource {
  return new FrameReader(codec.createDecoder(), parts ? PARTS : undefined);
}
