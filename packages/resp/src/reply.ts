/**
 * The reply values a command handler returns and the encoder puts on the wire.
 *
 * | value | RESP2 | RESP3 (after `HELLO 3`) |
 * |---|---|---|
 * | `null` | `$-1` (null bulk) | `_` |
 * | `number` (a safe integer) | `:n` | `:n` |
 * | `bigint` | `:n` when it fits 64 bits, else a bulk string | `:n` when it fits 64 bits, else `(n` |
 * | `boolean` | `:1` / `:0` | `#t` / `#f` |
 * | `Uint8Array` / `Buffer` | bulk string, bytes as they are | same |
 * | `string` | bulk string, UTF-8 | same |
 * | {@link BulkString} | bulk string, one byte per char code | same |
 * | {@link SimpleString} | `+text` | same |
 * | {@link ErrorReply} | `-text` | same |
 * | array | `*n` then each element | same |
 * | {@link RespMap} | `*2n`, keys and values alternating | `%n` |
 * | {@link RespSet} | `*n` | `~n` |
 * | {@link RespDouble} | bulk string of the number | `,n` |
 * | {@link VerbatimString} | bulk string of the text | `=len\r\ntxt:text` |
 * | {@link RespPush} | `*n` | `>n` |
 *
 * @module
 */

/** Every value the RESP encoder accepts: see the table in this module's documentation. */
export type RespValue =
  | null
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | BulkString
  | SimpleString
  | ErrorReply
  | RespMap
  | RespSet
  | RespDouble
  | VerbatimString
  | RespPush
  | readonly RespValue[];

/**
 * What goes to the encoder: a value, encoded in RESP2, or a {@link Resp3} envelope around one,
 * encoded in RESP3. The router wraps replies for connections that said `HELLO 3`.
 */
export type RespReply = RespValue | Resp3;

/** A status reply: `+text\r\n`. CR and LF in `text` are sent as spaces. */
export class SimpleString {
  /** @param text - the status, e.g. `OK`, `PONG`. */
  constructor(readonly text: string) {}
}

/**
 * An error reply: `-text\r\n`. By convention `text` starts with an upper-case code (`ERR`,
 * `WRONGTYPE`) that clients match on. CR and LF in `text` are sent as spaces.
 */
export class ErrorReply {
  /** @param text - the error, code first, e.g. `ERR value is not an integer or out of range`. */
  constructor(readonly text: string) {}
}

/**
 * A bulk string held as a one-byte JS string: each char code (0–255) is one byte (the `latin1`
 * encoding, so any bytes round-trip). It lives in the JS heap, exactly its size, and holds no
 * reference to the socket chunk it was copied from — the way to keep many small values
 * (see {@link BulkString.from}).
 */
export class BulkString {
  /** @param latin1 - the bytes, one per char code. */
  constructor(readonly latin1: string) {}

  /** Copy `bytes` into a new `BulkString`. */
  static from(bytes: Uint8Array): BulkString {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new BulkString(b.toString('latin1'));
  }

  /** Byte length (the string's length). */
  get length(): number {
    return this.latin1.length;
  }

  /** The bytes, copied into a new `Buffer`. */
  toBuffer(): Buffer {
    return Buffer.from(this.latin1, 'latin1');
  }
}

/** A map reply (RESP3 `%`; RESP2 clients get a flat array of keys and values). */
export class RespMap {
  /** @param entries - key/value pairs in the order they are sent. */
  constructor(readonly entries: ReadonlyArray<readonly [RespValue, RespValue]>) {}
}

/** A set reply (RESP3 `~`; RESP2 clients get an array). */
export class RespSet {
  /** @param items - the members in the order they are sent. */
  constructor(readonly items: readonly RespValue[]) {}
}

/** An out-of-band push (RESP3 `>`; RESP2 clients get an array). */
export class RespPush {
  /** @param items - the push's elements, the kind first (e.g. `message`). */
  constructor(readonly items: readonly RespValue[]) {}
}

/** A floating-point reply (RESP3 `,`; RESP2 clients get it as a bulk string, like Redis). */
export class RespDouble {
  /** @param value - any number, `inf`, `-inf` and `nan` included. */
  constructor(readonly value: number) {}
}

/** A verbatim string (RESP3 `=`, with a 3-letter format; RESP2 clients get a bulk string). */
export class VerbatimString {
  /**
   * @param text - the text (UTF-8).
   * @param format - exactly 3 characters: `txt` (default) or `mkd`.
   */
  constructor(
    readonly text: string,
    readonly format: string = 'txt',
  ) {}
}

/** Encode the value inside in RESP3. */
export class Resp3 {
  /** @param value - the reply. */
  constructor(readonly value: RespValue) {}
}

/** `+OK`. */
export const OK: SimpleString = new SimpleString('OK');
/** `+PONG`. */
export const PONG: SimpleString = new SimpleString('PONG');
