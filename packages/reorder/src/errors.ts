/**
 * Errors thrown by `@iocp/reorder`. Match on {@link ReorderError.code}, never on the message.
 *
 * | code | thrown when |
 * |---|---|
 * | `IOCP_ERR_INVALID_OPTION` | a constructor option or a `reset()` argument is out of range |
 * | `IOCP_ERR_REORDER_INVALID_SEQ` | a sequence number is not an integer in `[0, 2^32)` |
 * | `IOCP_ERR_REORDER_WINDOW` | a sequence number lies `window` or more ahead of `expected` |
 * | `IOCP_ERR_REORDER_DUPLICATE` | a sequence number is already buffered or already released |
 *
 * Every error is an `IocpError` (from `@iocp/errors`, re-exported here); `InvalidOptionError` is
 * the one class all iocp-kit packages share.
 *
 * @module
 */
import { InvalidOptionError, IocpError } from '@iocp/errors';

export { InvalidOptionError, IocpError };

/** Base class of every error thrown by this package, except the shared {@link InvalidOptionError}. */
export class ReorderError extends IocpError {}

/** A sequence number passed to `push()` is not an unsigned 32-bit integer. */
export class InvalidSequenceError extends ReorderError {
  /** The value that was passed. */
  readonly seq: number;

  constructor(seq: number) {
    super('IOCP_ERR_REORDER_INVALID_SEQ', `sequence number ${seq} is not an integer in [0, 2^32)`);
    this.seq = seq;
  }
}

/**
 * A sequence number lies too far ahead: buffering it would need more than `window` slots.
 * The item was not accepted; the reorderer is unchanged.
 */
export class WindowOverflowError extends ReorderError {
  /** The refused sequence number. */
  readonly seq: number;
  /** The sequence number the reorderer was waiting for. */
  readonly expected: number;
  /** The window size. */
  readonly window: number;

  constructor(seq: number, expected: number, window: number) {
    super(
      'IOCP_ERR_REORDER_WINDOW',
      `sequence number ${seq} is outside the window [${expected}, ${expected} + ${window})`,
    );
    this.seq = seq;
    this.expected = expected;
    this.window = window;
  }
}

/**
 * A sequence number was pushed twice: it is still buffered, or it was already released (it lies
 * behind `expected` in serial-number order). The item was not accepted; the reorderer is unchanged.
 */
export class DuplicateSequenceError extends ReorderError {
  /** The refused sequence number. */
  readonly seq: number;
  /** `true` when the sequence number was already released, `false` when it is still buffered. */
  readonly released: boolean;

  constructor(seq: number, released: boolean) {
    super(
      'IOCP_ERR_REORDER_DUPLICATE',
      released
        ? `sequence number ${seq} was already released`
        : `sequence number ${seq} is already buffered`,
    );
    this.seq = seq;
    this.released = released;
  }
}
