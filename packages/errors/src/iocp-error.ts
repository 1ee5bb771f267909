/**
 * The base class of every error iocp-kit raises.
 *
 * @module
 */

/**
 * Base class of every error raised by an iocp-kit package: `err instanceof IocpError` holds for
 * all of them, whichever package threw. Match on {@link IocpError.code}, never on the message or
 * the class name: codes are stable across versions (see `ERROR_CODES` for the full list),
 * messages are for humans and may change.
 *
 * Each package keeps its own subclass (`FramingError`, `TransportError`, `JobPoolError`,
 * `ReorderError`, `FileTransferError`) with one coded class per failure below it; options are
 * refused everywhere with the one shared {@link InvalidOptionError}. The underlying cause (a
 * socket error, a system error, what a handler threw) is chained as `cause`.
 *
 * ```ts
 * try {
 *   port.send(handle, frame);
 * } catch (err) {
 *   if (err instanceof IocpError && err.code === 'IOCP_ERR_ENCODE') dropFrame();
 *   else throw err;
 * }
 * ```
 */
export class IocpError extends Error {
  /**
   * Stable machine-readable code, `IOCP_ERR_...`: a registered code (`IocpErrorCode`, listed in
   * `ERROR_CODES` of `@iocp/errors`) for every error raised here; a code received from a newer
   * peer (file transfer errors travel over the wire) is kept as it came.
   */
  readonly code: string;

  /**
   * @param code - Stable code, `IOCP_ERR_...` (a key of `ERROR_CODES`).
   * @param message - One line for humans.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option is missing, of the wrong type, out of range or unknown (`IOCP_ERR_INVALID_OPTION`).
 * Raised by constructors and factories (and by methods that take options) of every iocp-kit
 * package — it is the same class whichever package you import it from, so one
 * `import { InvalidOptionError }` and one `instanceof` cover them all.
 */
export class InvalidOptionError extends IocpError {
  /**
   * Name of the offending option when the raiser names it (`'maxFrameLength'`,
   * `'perKey.highWaterMark'`); `undefined` when the message describes it instead.
   */
  readonly option: string | undefined;

  /**
   * @param message - What is wrong, naming the option.
   * @param options - `cause`: the underlying error.
   */
  constructor(message: string, options?: { cause?: unknown });
  /**
   * @param option - Name of the offending option; the message becomes
   * `invalid option OPTION: MESSAGE`.
   * @param message - What is wrong with it.
   * @param options - `cause`: the underlying error.
   */
  constructor(option: string, message: string, options?: { cause?: unknown });
  constructor(first: string, second?: string | { cause?: unknown }, third?: { cause?: unknown }) {
    const named = typeof second === 'string';
    super('IOCP_ERR_INVALID_OPTION', named ? `invalid option ${first}: ${second}` : first, named ? third : second);
    this.option = named ? first : undefined;
  }
}

/**
 * `true` when `value` is an {@link IocpError} — and, with `code`, one with that code.
 *
 * ```ts
 * if (isIocpError(err, 'IOCP_ERR_CONNECT_REFUSED')) retryLater();
 * ```
 *
 * @param value - Anything caught.
 * @param code - When given, the code the error must carry.
 */
export function isIocpError(value: unknown, code?: string): value is IocpError {
  return value instanceof IocpError && (code === undefined || value.code === code);
}
