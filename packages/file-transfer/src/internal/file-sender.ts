import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FileTransferError, SizeMismatchError, fromFsError } from '../errors.js';
import type { FrameConnection } from '../frame-connection.js';
import { allocDataFrame, encodeMessage } from '../message-codec.js';
import { DATA_HEADER_LENGTH, type MessageType } from '../messages.js';

/** How many chunk reads a sender keeps ahead of the socket (reads overlap with sends). */
export const READ_AHEAD = 3;

/** Most acknowledged frames kept for reuse per transfer. */
const SPARE_LIMIT = 8;
/** Most sent frames tracked for reuse (beyond that, frames are left to the GC). */
const IN_FLIGHT_LIMIT = 64;

/** One chunk being read from disk or waiting for the socket. Reused; its callbacks are bound once. */
class ReadSlot {
  frame: Buffer | undefined;
  length = 0;
  position = 0;
  bytesRead = -1;
  error: unknown = undefined;
  readonly onRead: (r: { bytesRead: number }) => void;
  readonly onError: (err: unknown) => void;
  constructor(sender: FileSender) {
    this.onRead = (r) => {
      this.bytesRead = r.bytesRead;
      sender.readSettled();
    };
    this.onError = (err) => {
      this.error = err ?? new Error('read failed');
      this.bytesRead = 0;
      sender.readSettled();
    };
  }
}

/**
 * Streams bytes [start, size) of an open file as DATA frames of one transfer, then sends the
 * END message (`PUT_END` or `GET_END`) with the SHA-256 of the whole file.
 *
 * Flow control, end to end: a chunk is read from disk only when the receiver has granted
 * credit for it, and at most {@link READ_AHEAD} chunks are read ahead of the socket; a chunk
 * goes to the connection only while it is writable. So this side holds at most
 * `READ_AHEAD × chunk` bytes per transfer plus what the transport queued below its high
 * watermark; the receiver holds at most the credit it granted. Used by the client for uploads
 * and by the server for downloads: one implementation, both directions.
 */
export class FileSender {
  /** Next byte to read from disk. */
  private readPos: number;
  /** Next byte to hand to the connection (everything before it is sent and hashed). */
  private sentPos: number;
  private credit: number;
  private finished = false;
  /** Reads in flight or done and not sent yet, in file order. */
  private readonly slots: ReadSlot[] = [];
  private readonly free: ReadSlot[] = [];
  private reading = 0;
  /** First byte this sender sends (the resumed offset). */
  private readonly origin: number;
  /** Credit granted after the initial window: bytes the receiver has written (see {@link addCredit}). */
  private granted = 0;
  /** Frames handed to the connection, oldest first, with the file offset where each ends. */
  private readonly inFlight: Buffer[] = [];
  private readonly inFlightEnds: number[] = [];
  /** Full-size frames the receiver has acknowledged: nobody reads them any more, reuse them. */
  private readonly spare: Buffer[] = [];
  private resolveDone!: (digest: Buffer) => void;
  private rejectDone!: (err: Error) => void;
  private idleWaiter: (() => void) | undefined;
  /** verifyEnd: 'no' → not started, 'reading' → the probe read is in flight, 'ok' → the file ends at size. */
  private endCheck: 'no' | 'reading' | 'ok' = 'no';
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
    /**
     * Before END, check that the file ends at `size` (a 1-byte read there must find nothing).
     * Catches sources whose content differs from their stat size: files under /proc report 0,
     * a log grows while it is sent. A file that shrinks is caught by the short read anyway.
     */
    private readonly verifyEnd = false,
  ) {
    this.origin = start;
    this.readPos = start;
    this.sentPos = start;
    this.credit = credit;
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A caller that only awaits a later step must not see an unhandled rejection.
    this.done.catch(() => {});
  }

  /** Bytes sent so far, counting the resumed prefix. */
  get position(): number {
    return this.sentPos;
  }

  /** Begin (or continue) sending. */
  start(): void {
    this.pump();
  }

  /**
   * The receiver granted `bytes` more. A receiver grants exactly the bytes it has written, so
   * every frame that ends within `origin + granted` has crossed the wire: the transport (and TLS)
   * no longer read its memory, and it is reused for a later chunk. Fresh 256 KiB allocations
   * cost more than the copy they hold (page faults), so this matters. A peer that grants early
   * only corrupts its own transfer (and its hash check catches it); buffers never cross
   * transfers.
   */
  addCredit(bytes: number): void {
    this.credit += bytes;
    this.granted += bytes;
    const acked = this.origin + this.granted;
    const full = DATA_HEADER_LENGTH + this.chunk;
    while (this.inFlightEnds.length > 0 && this.inFlightEnds[0]! <= acked) {
      this.inFlightEnds.shift();
      const f = this.inFlight.shift()!;
      if (f.length === full && this.spare.length < SPARE_LIMIT) this.spare.push(f);
    }
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
    this.slots.length = 0;
    this.inFlight.length = 0;
    this.inFlightEnds.length = 0;
    this.spare.length = 0;
    this.rejectDone(err);
  }

  /** Resolves when no read is in flight (so the file handle can be closed safely). */
  idle(): Promise<void> {
    if (this.reading === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.idleWaiter = resolve;
    });
  }

  /** A read finished (successfully or not). */
  readSettled(): void {
    this.reading--;
    if (this.reading === 0 && this.idleWaiter) {
      const w = this.idleWaiter;
      this.idleWaiter = undefined;
      w();
    }
    this.pump();
  }

  /** Move data along: send finished reads in order, start new reads. Called on every event. */
  private pump(): void {
    if (this.finished) return;
    // 1. Completed reads at the head go out, in order, while the connection takes them.
    let head = this.slots[0];
    while (head !== undefined && head.bytesRead >= 0 && this.conn.writable) {
      this.slots.shift();
      if (!this.sendSlot(head)) return;
      this.free.push(head);
      head = this.slots[0];
    }
    // 2. Keep up to READ_AHEAD reads going within the credit.
    while (this.slots.length < READ_AHEAD && this.readPos < this.size && this.credit > 0) {
      const n = Math.min(this.chunk, this.size - this.readPos, this.credit);
      const slot = this.free.pop() ?? new ReadSlot(this);
      slot.frame = n === this.chunk ? (this.spare.pop() ?? allocDataFrame(this.id, n)) : allocDataFrame(this.id, n);
      slot.length = n;
      slot.position = this.readPos;
      slot.bytesRead = -1;
      slot.error = undefined;
      this.credit -= n;
      this.readPos += n;
      this.slots.push(slot);
      this.reading++;
      this.fh.read(slot.frame, DATA_HEADER_LENGTH, n, slot.position).then(slot.onRead, slot.onError);
    }
    // 3. Everything sent: the END message carries the whole file's hash.
    if (this.sentPos >= this.size && this.slots.length === 0) {
      if (this.verifyEnd && this.endCheck !== 'ok') {
        if (this.endCheck === 'no') this.probeEnd();
        return;
      }
      this.finished = true;
      const digest = this.hash.digest();
      this.conn.send(encodeMessage({ type: this.endType, id: this.id, sha256: digest }));
      this.resolveDone(digest);
    }
  }

  /** One read past the announced end: any byte there means the source is not what stat said. */
  private probeEnd(): void {
    this.endCheck = 'reading';
    this.reading++;
    this.fh.read(Buffer.alloc(1), 0, 1, this.size).then(
      (r) => {
        if (r.bytesRead > 0) {
          this.abort(
            new SizeMismatchError(
              `source file has more bytes than the ${this.size} its size announced (it grew, or it is not a plain file, e.g. under /proc); nothing was published`,
            ),
          );
        } else this.endCheck = 'ok';
        this.readSettled();
      },
      (err: unknown) => {
        this.abort(fromFsError(err, 'reading the source file'));
        this.readSettled();
      },
    );
  }

  private sendSlot(slot: ReadSlot): boolean {
    const frame = slot.frame!;
    slot.frame = undefined;
    if (slot.error !== undefined) {
      this.abort(fromFsError(slot.error, 'reading the source file'));
      return false;
    }
    if (slot.bytesRead !== slot.length) {
      // A short read at a positioned offset means the file shrank under us.
      this.abort(new SizeMismatchError(`source file shrank during the transfer (at byte ${slot.position + slot.bytesRead} of ${this.size})`));
      return false;
    }
    this.hash.update(frame.subarray(DATA_HEADER_LENGTH));
    let queued: boolean;
    try {
      queued = this.conn.send(frame);
    } catch (err) {
      // e.g. the codec refuses a frame this long: a configuration error, reported, not thrown
      this.abort(new FileTransferError('IOCP_ERR_FT_IO', `cannot send a ${frame.length}-byte frame: ${(err as Error).message}`, { cause: err }));
      return false;
    }
    if (!queued) {
      this.abort(new FileTransferError('IOCP_ERR_FT_CLOSED', 'connection closed during the transfer'));
      return false;
    }
    this.sentPos += slot.length;
    if (this.inFlight.length < IN_FLIGHT_LIMIT) {
      this.inFlight.push(frame);
      this.inFlightEnds.push(this.sentPos);
    }
    this.onProgress?.(this.sentPos);
    return true;
  }
}
