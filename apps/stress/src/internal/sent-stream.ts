/**
 * The bytes a connection has sent and not yet seen echoed, oldest first. The echo must return
 * exactly this stream, so verification is a `memcmp` of each received chunk against it: one
 * native compare per chunk and sent buffer, whatever the framing. Holds references to the sent
 * buffers (no copy); bounded by what is in flight (`--depth` or `--max-inflight` messages).
 */
export class SentStream {
  private queue: (Buffer | undefined)[] = [];
  private head = 0;
  private headPos = 0;
  /** Byte the stream expected at the last mismatch reported by {@link SentStream.verify}; -1 = none (extra byte). */
  expectedByte = -1;

  /** Append bytes just written to the socket. */
  push(bytes: Buffer): void {
    this.queue.push(bytes);
  }

  /**
   * Compare `buf[start, end)` with the oldest unmatched sent bytes and consume them.
   * @returns -1 when equal; otherwise the index in `buf` of the first byte that differs or that
   *   was never sent ({@link SentStream.expectedByte} tells which byte was expected).
   */
  verify(buf: Buffer, start: number, end: number): number {
    let pos = start;
    const queue = this.queue;
    while (pos < end) {
      const sent = queue[this.head];
      if (sent === undefined) {
        this.expectedByte = -1;
        return pos;
      }
      const from = this.headPos;
      const take = Math.min(sent.length - from, end - pos);
      if (buf.compare(sent, from, from + take, pos, pos + take) !== 0) {
        for (let i = 0; i < take; i++) {
          if (buf[pos + i] !== sent[from + i]) {
            this.expectedByte = sent[from + i]!;
            return pos + i;
          }
        }
      }
      pos += take;
      this.headPos = from + take;
      if (this.headPos === sent.length) {
        queue[this.head++] = undefined;
        this.headPos = 0;
        if (this.head === queue.length) {
          queue.length = 0;
          this.head = 0;
        } else if (this.head >= 1024 && this.head * 2 >= queue.length) {
          queue.splice(0, this.head);
          this.head = 0;
        }
      }
    }
    return -1;
  }

  /** Forget everything (a short connection starts over). */
  clear(): void {
    this.queue.length = 0;
    this.head = 0;
    this.headPos = 0;
  }
}
