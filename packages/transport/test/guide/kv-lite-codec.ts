import { type Codec, type Decoder, type Encoder, FrameCorruptError, FrameTooLongError } from '@iocp/framing';

/** What a client asks. */
export type Request =
  | { op: 'GET'; key: string }
  | { op: 'SET'; key: string; value: Buffer }
  | { op: 'DEL'; key: string };

/** What the server answers. */
export type Reply = { type: 'ok' } | { type: 'nil' } | { type: 'value'; value: Uint8Array } | { type: 'error'; message: string };

const LF = 0x0a;
const MAX_LINE = 512;
const MAX_VALUE = 1 << 20;

/** Request decoder: `GET k\n`, `DEL k\n`, `SET k <n>\n<n bytes>\n`. One per connection (it remembers how far it scanned). */
class RequestDecoder implements Decoder<Request> {
  readonly maxBufferedBytes = MAX_LINE + MAX_VALUE + 1;
  #scanned = 0; // bytes of the current line already searched for LF

  measure(buf: Buffer, start: number, end: number): number {
    // Read only buf[start, end): a hit past `end` is not ours.
    let lf = buf.indexOf(LF, start + this.#scanned);
    if (lf < 0 || lf >= end) {
      this.#scanned = end - start;
      if (end - start > MAX_LINE) throw new FrameTooLongError(end - start, MAX_LINE, undefined, { what: 'command line' });
      return 0; // need more bytes; length unknown
    }
    this.#scanned = 0;
    lf -= start;
    if (buf[start] !== 0x53 /* S */) return lf + 1; // GET / DEL: the line is the frame
    const n = Number(buf.toString('latin1', start, start + lf).split(' ')[2]);
    if (!Number.isInteger(n) || n < 0) throw new FrameCorruptError('SET needs a byte count');
    if (n > MAX_VALUE) throw new FrameTooLongError(n, MAX_VALUE, lf + 1 + n + 1, { what: 'value' });
    return lf + 1 + n + 1; // line, value, LF
  }

  extract(buf: Buffer, start: number, length: number): Request {
    const lf = buf.indexOf(LF, start);
    const [op, key, size] = buf.toString('latin1', start, lf).split(' ');
    if (key === undefined || key === '') throw new FrameCorruptError('missing key');
    if (op === 'GET' || op === 'DEL') return { op, key };
    if (op === 'SET' && size !== undefined && buf[start + length - 1] === LF) {
      return { op, key, value: buf.subarray(lf + 1, start + length - 1) }; // a view: no copy
    }
    throw new FrameCorruptError(`unknown command ${JSON.stringify(op)}`);
  }

  reset(): void {
    this.#scanned = 0;
  }
}

const NEWLINE = Buffer.from('\n');

/** Reply encoder: `OK\n`, `NIL\n`, `ERR <message>\n`, `VAL <n>\n<n bytes>\n`. Stateless. */
const replyEncoder: Encoder<Reply> = {
  maxPrefixLength: 32, // the longest head encodeParts writes: "VAL <n>\n"
  encodedLength(r) {
    if (r.type === 'ok') return 3;
    if (r.type === 'nil') return 4;
    if (r.type === 'error') return 5 + Buffer.byteLength(r.message);
    return 5 + String(r.value.byteLength).length + r.value.byteLength + 1;
  },
  encodeInto(r, target, offset) {
    const t = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
    if (r.type === 'ok') return offset + t.write('OK\n', offset, 'latin1');
    if (r.type === 'nil') return offset + t.write('NIL\n', offset, 'latin1');
    if (r.type === 'error') return offset + t.write(`ERR ${r.message}\n`, offset);
    offset += t.write(`VAL ${r.value.byteLength}\n`, offset, 'latin1');
    t.set(r.value, offset);
    t[offset + r.value.byteLength] = LF;
    return offset + r.value.byteLength + 1;
  },
  // Large values: the head into the send buffer, the value itself queued as it is.
  encodeParts(r, target, offset, payloads) {
    if (r.type !== 'value') {
      payloads.push(Buffer.alloc(this.encodedLength(r))); // a long error message: all of it as one payload
      this.encodeInto(r, payloads[0]!, 0);
      return offset;
    }
    const t = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
    payloads.push(r.value, NEWLINE);
    return offset + t.write(`VAL ${r.value.byteLength}\n`, offset, 'latin1');
  },
};

/** The KV-lite protocol, server side: requests in, replies out. */
export function kvLite(): Codec<Request, Reply> {
  return { name: 'kv-lite', createDecoder: () => new RequestDecoder(), encoder: replyEncoder };
}
