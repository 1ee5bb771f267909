/**
 * Errors raised by `@iocp/resp`. Match on `code`, never on the message.
 *
 * | code | raised when | connection |
 * |---|---|---|
 * | `IOCP_ERR_FRAME_CORRUPT` ({@link RespProtocolError}) | the peer sent bytes that are not a RESP request (`*x`, `$` missing, bad length, unbalanced quotes) | answered `-ERR Protocol error: ...`, then closed |
 * | `IOCP_ERR_FRAME_TOO_LONG` ({@link RespLimitError}) | a bulk, array, inline line or whole request is longer than the codec's limit | answered `-ERR Protocol error: ...`, then closed |
 * | `IOCP_ERR_RESP_REPLY` ({@link RespReplyError}) | a handler returned a value that is not a RESP reply (a fraction as an integer, an object) | the command is answered `-ERR` instead |
 * | `IOCP_ERR_INVALID_OPTION` | an option is out of range or unknown | — |
 *
 * The protocol errors are framing errors (they extend `@iocp/framing`'s classes), so the
 * transport closes only that connection, under `frame-corrupt` / `frame-too-long`, after the
 * router has sent {@link RespProtocolError.reply}.
 *
 * @module
 */
import { FrameCorruptError, FrameTooLongError } from '@iocp/framing';
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** The bytes are not a RESP request; the stream cannot go on. */
export class RespProtocolError extends FrameCorruptError {
  /** The text of the error reply the peer gets before the close, as Redis words it: `Protocol error: ...`. */
  readonly reply: string;

  constructor(what: string) {
    super(`Protocol error: ${what}`);
    this.reply = `Protocol error: ${what}`;
  }
}

/** A request exceeds one of the codec's limits; refused from its header, before its body is buffered. */
export class RespLimitError extends FrameTooLongError {
  /** The text of the error reply the peer gets before the close, as Redis words it: `Protocol error: ...`. */
  readonly reply: string;

  /**
   * @param what - Redis' wording of the failure, e.g. `invalid bulk length`.
   * @param length - the announced (or buffered) length.
   * @param limit - the limit it exceeds.
   * @param unit - what was measured, e.g. `bulk`, `array`, `inline request`.
   */
  constructor(what: string, length: number, limit: number, unit: string) {
    super(length, limit, undefined, { what: `RESP ${unit}` });
    this.reply = `Protocol error: ${what}`;
  }
}

/** Base class of the errors this package raises that are not framing errors. */
export class RespError extends IocpError {}

/** A handler returned something the encoder cannot put on the wire. */
export class RespReplyError extends RespError {
  constructor(message: string) {
    super('IOCP_ERR_RESP_REPLY', message);
  }
}
