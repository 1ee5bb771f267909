import type { Codec } from '@iocp/framing';
import { InvalidOptionError } from './errors.js';
import { type RespLimits, RespRequestDecoder } from './request-decoder.js';
import type { RespRequest } from './resp-request.js';
import type { RespReply } from './reply.js';
import { respEncoder } from './reply-encoder.js';

/** Options of {@link resp}. Every field is optional; an explicit `undefined` means the default. */
export interface RespCodecOptions {
  /** Longest bulk string (one argument) in bytes. Default 512 MiB (Redis' `proto-max-bulk-len`). */
  maxBulkLength?: number | undefined;
  /** Most arguments in one request. Default 1,048,576. */
  maxArrayLength?: number | undefined;
  /**
   * Longest inline request line, and longest `*N` / `$N` header line, in bytes. Default 64 KiB
   * (Redis' `PROTO_INLINE_MAX_SIZE`).
   */
  maxInlineLength?: number | undefined;
  /**
   * Most bytes one request may occupy on the wire, all arguments together: what the reader may
   * buffer for it. Default `maxBulkLength` + 1 MiB.
   */
  maxRequestBytes?: number | undefined;
}

const OPTION_KEYS = new Set(['maxBulkLength', 'maxArrayLength', 'maxInlineLength', 'maxRequestBytes']);
/** Lengths are parsed from at most 15 digits and must stay below what a Buffer can hold. */
const MAX_LIMIT = 2 ** 32;

function limit(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new InvalidOptionError(name, `must be an integer in [1, ${MAX_LIMIT}], got ${String(value)}`);
  }
  return value;
}

/** Validate {@link RespCodecOptions} and fill in the defaults. */
export function respLimits(options?: RespCodecOptions): RespLimits {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidOptionError('options', 'must be an object');
  }
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_KEYS.has(key)) throw new InvalidOptionError(key, 'unknown option');
  }
  const maxBulkLength = limit('maxBulkLength', options?.maxBulkLength, 512 * 1024 * 1024);
  return {
    maxBulkLength,
    maxArrayLength: limit('maxArrayLength', options?.maxArrayLength, 1024 * 1024),
    maxInlineLength: limit('maxInlineLength', options?.maxInlineLength, 64 * 1024),
    maxRequestBytes: limit('maxRequestBytes', options?.maxRequestBytes, maxBulkLength + 1024 * 1024),
  };
}

/** The RESP codec: requests in ({@link RespRequest}), replies out ({@link RespReply}). */
export interface RespCodec extends Codec<RespRequest, RespReply> {
  /** `resp`. */
  readonly name: string;
  /** The validated limits every decoder of this codec enforces. */
  readonly limits: RespLimits;
  /** A decoder for one connection (it keeps the state of a request that arrives in pieces). */
  createDecoder(): RespRequestDecoder;
  /** The shared reply encoder. */
  readonly encoder: typeof respEncoder;
}

/**
 * The Redis protocol as a codec for `@iocp/transport`: each request decoded once into its
 * arguments (views of the received bytes), every reply type encoded straight into the
 * connection's send buffer.
 *
 * @throws `InvalidOptionError` (`IOCP_ERR_INVALID_OPTION`) for an unknown option or a limit
 *   out of range.
 */
export function resp(options?: RespCodecOptions): RespCodec {
  const limits = respLimits(options);
  return {
    name: 'resp',
    limits,
    createDecoder: () => new RespRequestDecoder(limits),
    encoder: respEncoder,
  };
}

export type { RespRequest, RespReply };
