/**
 * `@iocp/errors` — the base class, the shared `InvalidOptionError` and the code registry of every
 * iocp-kit package. You rarely need to install it yourself: every package re-exports
 * `IocpError` and `InvalidOptionError`.
 *
 * @packageDocumentation
 */
export { ERROR_CODES, type ErrorCodeInfo, type IocpErrorCode, isIocpErrorCode } from './codes.js';
export { InvalidOptionError, IocpError, isIocpError } from './iocp-error.js';
