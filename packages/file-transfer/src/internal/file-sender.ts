import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FileTransferError, SizeMismatchError, fromFsError } from '../errors.js';
import type { FrameConnection } from '../frame-connection.js';
import { allocDataFrame, encodeMessage } from '../message-codec.js';
import { DATA_HEADER_LENGTH, type MessageType } from '../messages.js';

/**
 * Streams bytes [start, size) of an open file as DATA frames of one transfer, then sends the
 * END message (`PUT_END` or `GET_END`) with the SHA-256 of the whole file.
 *
 * Flow control, end to end: a chunk is read from disk only when the receiver has granted
 * credit for it AND the connection is writable. So the bytes this side holds for a transfer
 * are at most one chunk being read plus what the transport queued below its high watermark;
 * the receiver holds at most the credit it granted. Used by the client for uploads and by the
 * server for downloads: one implementation, both directions.
 */
export class FileSender {
  private pos: number;
  private credit: number;
  private reading = false;
  private finished = false;
  private frame: Buffer | undefined;
  private frameLen = 0;
  private resolveDone!: (digest: Buffer) => void;
  private rejectDone!: (err: Error) => void;
  /** Resolves with the file's SHA-256 once the END message is queued; rejects on failure. */
  readonly done: Promise<Buffer>;

  constructor(
    private readonly conn: FrameConnection,
    private readonly id: number,
    private readonly fh: FileHandle,
    start: number,
    private readonly size: number,
    /** Already fed with bytes [0, start). */
    private readonly hash: Hash,
    private readonly chunk: number,
    credit: number,
    private readonly endType: typeof MessageType.PutEnd | typeof MessageType.GetEnd,
    private readonly onProgress?: (bytes: number) => void,
  ) {
    this.pos = start;
    this.credit = credit;
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that only awaits a later step must not see an unhandled rejection.
    this.done.catch(() => {});
    this.readDone = this.readDone.bind(this);
    this.readFailed = this.readFailed.bind(this);
  }

  /** Bytes sent so far, counting the resumed prefix. */
  get position(): number {
    return this.pos;
  }

  /** Begin (or continue) sending. */
  start(): void {
    this.pump();
  }

  /** The receiver granted `bytes` more. */
  addCredit(bytes: number): void {
    this.credit += bytes;
    this.pump();
  }

  /** The connection drained below its low watermark. */
  onDrain(): void {
    this.pump();
  }

  /** Stop sending (peer error, cancel, connection loss). Idempotent. */
  abort(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.rejectDone(err);
  }

  private pump(): void {
    if (this.reading || this.finished) return;
    if (this.pos >= this.size) {
      this.finished = true;
      const digest = this.hash.digest();
      this.conn.send(encodeMessage({ type: this.endType, id: this.id, sha256: digest }));
      this.resolveDone(digest);
      return;
    }
    if (this.credit <= 0 || !this.conn.writable) return;
    const n = Math.min(this.chunk, this.size - this.pos, this.credit);
    this.reading = true;
    this.frame = allocDataFrame(this.id, n);
    this.frameLen = n;
    this.fh.read(this.frame, DATA_HEADER_LENGTH, n, this.pos).then(this.readDone, this.readFailed);
  }

  private readDone(r: { bytesRead: number }): void {
    this.reading = false;
    if (this.finished) return;
    const frame = this.frame!;
    this.frame = undefined;
    if (r.bytesRead !== this.frameLen) {
      // A short read at a positioned offset means the file shrank under us.
      this.abort(new SizeMismatchError(`source file shrank during the transfer (at byte ${this.pos + r.bytesRead} of ${this.size})`));
      return;
    }
    this.hash.update(frame.subarray(DATA_HEADER_LENGTH));
    if (!this.conn.send(frame)) {
      this.abort(new FileTransferError('IOCP_ERR_FT_CLOSED', 'connection closed during the transfer'));
      return;
    }
    this.credit -= this.frameLen;
    this.pos += this.frameLen;
    this.onProgress?.(this.pos);
    this.pump();
  }

  private readFailed(err: unknown): void {
    this.reading = false;
    this.abort(fromFsError(err, 'reading the source file'));
  }
}
