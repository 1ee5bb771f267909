import { chunkings, decodeUntilError } from '@iocp/framing/testing';
import { type RespCodecOptions, RespRequest, resp } from '../src/index.js';

/** Requests compare by their arguments' bytes. */
export function sameRequest(a: RespRequest, b: RespRequest): boolean {
  return a.length === b.length && a.toArray().every((arg, i) => arg.equals(b.arg(i)));
}

/** A request from latin1 strings (any byte). */
export function req(...args: (string | Buffer)[]): RespRequest {
  return RespRequest.of(...args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)));
}

/** The error decoding `wire` throws however it is cut (the same error for every chunking). */
export function decodeErrors(wire: Buffer, options?: RespCodecOptions): (Error & { code?: string; reply?: string })[] {
  const errors: (Error & { code?: string; reply?: string })[] = [];
  for (const chunks of chunkings(wire)) {
    const { error } = decodeUntilError(resp(options).createDecoder(), chunks);
    if (error === undefined) throw new Error(`no error with chunks of ${chunks.map((c) => c.length).join('+')} bytes`);
    errors.push(error);
  }
  return errors;
}

/** The error decoding `wire` in one chunk throws. */
export function decodeError(wire: Buffer, options?: RespCodecOptions): Error & { code?: string; reply?: string } {
  const { error } = decodeUntilError(resp(options).createDecoder(), [wire]);
  if (error === undefined) throw new Error('expected a decoding error');
  return error;
}

/** A multibulk request for `args`. */
export function mbulk(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
