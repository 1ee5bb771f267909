/**
 * Errors thrown by `@iocp/framing`. Match on {@link FramingError.code}, never on the message.
 *
 * | code | thrown when | stream |
 * |---|---|---|
 * | `IOCP_ERR_FRAME_TOO_LONG` | a header (or an unterminated line) announces more than the limit, or a decoder still cannot size a frame once `maxBufferedBytes` of it are buffered | ends, or skips the frame when its length is known (see `failFast`) |
 * | `IOCP_ERR_FRAME_CORRUPT` | bad varint, length overflow, negative adjusted length, wrong Pack flag | ends |
 * | `IOCP_ERR_FRAME_TRUNCATED` | the stream ended in the middle of a frame | ended |
 * | `IOCP_ERR_INVALID_OPTION` | a codec option is out of range (thrown by the factory) | — |
 * | `IOCP_ERR_DECODER_CONTRACT` | a custom decoder broke the {@link Decoder} contract | ends |
 *
 * Every error is an `IocpError` (from `@iocp/errors`, re-exported here); `InvalidOptionError` is
 * the one class all iocp-kit packages share.
 *
 * @module
 */
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** Base class of every error thrown by this package, except the shared {@link InvalidOptionError}. */
export class FramingError extends IocpError {}

/**
 * A frame is longer than the codec allows. Raised from the header alone, before the body is
 * buffered. When the wire length is known ({@link FrameTooLongError.wireLength}) the
 * {@link FrameReader} skips the frame's bytes without buffering them and can go on decoding
 * (Netty's discard mode); otherwise the stream must end.
 */
export class FrameTooLongError extends FramingError {
  /** The announced length, in the unit of the codec's `maxFrameLength` option. */
  readonly length: number;
  /** The codec's `maxFrameLength`. */
  readonly limit: number;
  /**
   * Total bytes the offending frame occupies on the wire (header included) when the header
   * tells it; `undefined` when unknown (an unterminated line).
   */
  readonly wireLength: number | undefined;

  constructor(
    length: number,
    limit: number,
    wireLength?: number,
    options?: { cause?: unknown; what?: string; message?: string },
  ) {
    super(
      'IOCP_ERR_FRAME_TOO_LONG',
      options?.message ?? `${options?.what ?? 'frame'} length ${length} exceeds maxFrameLength ${limit}`,
      options,
    );
    this.length = length;
    this.limit = limit;
    this.wireLength = wireLength;
  }
}

/** The byte stream cannot be a valid sequence of frames for this codec; the stream must end. */
export class FrameCorruptError extends FramingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_FRAME_CORRUPT', message, options);
  }
}

/** The stream ended while a frame was incomplete. */
export class FrameTruncatedError extends FramingError {
  /** Bytes of the incomplete frame that had arrived. */
  readonly bufferedBytes: number;
  /** Wire length of the incomplete frame when its header had arrived, else `undefined`. */
  readonly expectedBytes: number | undefined;

  constructor(bufferedBytes: number, expectedBytes?: number) {
    super(
      'IOCP_ERR_FRAME_TRUNCATED',
      expectedBytes === undefined
        ? `stream ended inside a frame (${bufferedBytes} bytes of it received)`
        : `stream ended inside a frame (${bufferedBytes} of ${expectedBytes} bytes received)`,
    );
    this.bufferedBytes = bufferedBytes;
    this.expectedBytes = expectedBytes;
  }
}

/**
 * A decoder broke its contract: `measure` returned something other than an integer, sized a
 * frame above its own `maxBufferedBytes`, shrank a frame it had already refused, or asked for
 * at least `n` bytes when `n` were already buffered; or `extract` threw something other than a
 * `FramingError`. A bug in the decoder, not in the peer; the stream ends. (A decoder that keeps
 * asking for more bytes past `maxBufferedBytes` gets `IOCP_ERR_FRAME_TOO_LONG`: the peer sent
 * too much.)
 */
export class DecoderContractError extends FramingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IOCP_ERR_DECODER_CONTRACT', message, options);
  }
}
