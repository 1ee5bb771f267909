const latin1Slice: ((this: Buffer, start: number, end: number) => string) | undefined = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }
).latin1Slice;

/**
 * One request: the command name (argument 0) followed by its arguments. The arguments are not
 * copied and no `Buffer` object is made for them until asked: the request keeps the buffer they
 * arrived in and where each one lies in it — for a multibulk request (what every client library
 * sends) the received bytes themselves. `arg(i)` hands out a view, `latin1(i)` a string made
 * straight from the bytes (a key for a `Map`), so a command that only reads its key never
 * creates a view.
 *
 * A request stays valid after the handler returns (the buffer is never reused), but holding an
 * argument's view holds the whole buffer: copy what you keep (see `BulkString.from`).
 */
export class RespRequest {
  /** Number of arguments, the command name included (0 for an empty request). */
  readonly length: number;
  /** The bytes the arguments lie in. */
  readonly buffer: Buffer;
  readonly #offsets: readonly number[];

  /**
   * @param buffer - the bytes the arguments lie in.
   * @param offsets - `2 * length` numbers: start and length of each argument in `buffer`.
   */
  constructor(buffer: Buffer, offsets: readonly number[]) {
    this.buffer = buffer;
    this.#offsets = offsets;
    this.length = offsets.length >> 1;
  }

  /** A request made of `args` (strings as UTF-8): for tests and for calling handlers directly. */
  static of(...args: (string | Uint8Array)[]): RespRequest {
    const parts = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
    const offsets: number[] = [];
    let at = 0;
    for (const p of parts) {
      offsets.push(at, p.length);
      at += p.length;
    }
    return new RespRequest(Buffer.concat(parts), offsets);
  }

  /** Where argument `i` starts in {@link RespRequest.buffer}. */
  offset(i: number): number {
    return this.#offsets[2 * this.#check(i)] as number;
  }

  /** Byte length of argument `i`. */
  argLength(i: number): number {
    return this.#offsets[2 * this.#check(i) + 1] as number;
  }

  /** Argument `i` as a view of the received bytes (no copy). */
  arg(i: number): Buffer {
    const at = this.#offsets[2 * this.#check(i)] as number;
    return this.buffer.subarray(at, at + (this.#offsets[2 * i + 1] as number));
  }

  /** Argument `i` as a string of one char per byte (`latin1`: any bytes round-trip), made without a view. */
  latin1(i: number): string {
    const at = this.#offsets[2 * this.#check(i)] as number;
    const end = at + (this.#offsets[2 * i + 1] as number);
    return latin1Slice !== undefined ? latin1Slice.call(this.buffer, at, end) : this.buffer.toString('latin1', at, end);
  }

  /** Argument `i` decoded as UTF-8. */
  text(i: number): string {
    const at = this.#offsets[2 * this.#check(i)] as number;
    return this.buffer.toString('utf8', at, at + (this.#offsets[2 * i + 1] as number));
  }

  /** Every argument as a view. */
  toArray(): Buffer[] {
    const out: Buffer[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.arg(i);
    return out;
  }

  #check(i: number): number {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`argument ${i} of a ${this.length}-argument request`);
    return i;
  }
}
