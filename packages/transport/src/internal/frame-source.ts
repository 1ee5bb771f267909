import { FrameReader } from '@iocp/framing';
import type { Decoder } from '@iocp/framing';

/** The part of `@iocp/framing`'s FrameReader the port uses. */
export interface FrameSource {
  push(chunk: Buffer): void;
  /** The next message (a `Buffer` frame for byte codecs, the codec's type for typed ones). */
  nextFrame(): unknown;
  end(): void;
  readonly bufferedBytes: number;
  /** Holds nothing, at a frame boundary: may be dropped and replaced by a new one on the same decoder. */
  readonly idle: boolean;
  /** `bufferedBytes` as last added to the port's memory budget (kept here: only a reading connection has a reader). */
  accounted: number;
}

/** A FrameReader that remembers what it added to the port's memory budget. */
class AccountedReader extends FrameReader<unknown> implements FrameSource {
  accounted = 0;
}

const PARTS = { spanning: 'parts' } as const;

/**
 * A fresh incremental reader over `decoder` (the connection's: one decoder per stream, kept
 * across readers). With `parts` (the handler has `onMessageParts`) frames that span chunks come
 * as views, not copies.
 */
export function createFrameSource(decoder: Decoder<unknown>, parts: boolean): FrameSource {
  return new AccountedReader(decoder, parts ? PARTS : undefined);
}
