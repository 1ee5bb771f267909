/**
 * `@iocp/resp`: the Redis protocol (RESP2, RESP3 after `HELLO 3`) for iocp-kit — a typed codec
 * (requests in, replies out) and a command router.
 *
 * @module
 */
export { RespError, RespLimitError, RespProtocolError, RespReplyError } from './errors.js';
export {
  BulkString,
  ErrorReply,
  OK,
  PONG,
  Resp3,
  RespDouble,
  RespMap,
  RespPush,
  type RespReply,
  RespSet,
  type RespValue,
  SimpleString,
  VerbatimString,
} from './reply.js';
export { respEncoder } from './reply-encoder.js';
export { type RespLimits, RespRequestDecoder } from './request-decoder.js';
export { RespRequest } from './resp-request.js';
export { type RespCodec, type RespCodecOptions, resp } from './resp-codec.js';
export {
  type CommandHandler,
  type RespClient,
  type RespCommand,
  type RespCommandInfo,
  type RespConnection,
  type RespHandler,
  RespRouter,
  type RespRouterOptions,
} from './resp-router.js';
