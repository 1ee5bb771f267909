import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { HashMismatchError, ProtocolError, SizeMismatchError, fromFsError } from '../errors.js';
import type { FrameConnection } from '../frame-connection.js';
import { encodeMessage } from '../message-codec.js';
import { MessageType } from '../messages.js';

/** Start a background `datasync` each time this many more bytes have been written. */
const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * Receives the DATA frames of one transfer into an open file at [start, size), hashing them on
 * arrival and writing them in order (batched with `writev`).
 *
 * Flow control: the receiver grants the sender `window` bytes up front and grants more only
 * as bytes reach the disk. A sender exceeding its credit is a protocol violation. So the bytes
 * held here for one transfer are bounded by `window`, whatever the disk speed.
 */
export class FileReceiver {
  private received: number;
  private written: number;
  private outstanding: number;
  private grantPending = 0;
  private readonly grantThreshold: number;
  private queue: Buffer[] = [];
  private inFlight: Buffer[] = [];
  private inFlightBytes = 0;
  private writing = false;
  private failure: Error | undefined;
  /** Bytes known flushed by a background `datasync`. */
  private syncedTo = 0;
  private syncing: Promise<void> | undefined;
  private current: Promise<{ bytesWritten: number }> | undefined;
  private waiter: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(
    private readonly conn: FrameConnection,
    private readonly id: number,
    private readonly fh: FileHandle,
    start: number,
    private readonly size: number,
    /** Already fed with bytes [0, start). */
    private readonly hash: Hash,
    window: number,
    /** Called once when a write fails (disk full, permission...). */
    private readonly onFailure: (err: Error) => void,
    private readonly onProgress?: (bytes: number) => void,
    /** Copy each payload before queueing it (when frames are views into a reused buffer). */
    private readonly copyPayloads = false,
  ) {
    this.received = start;
    this.written = start;
    this.syncedTo = start;
    this.outstanding = window;
    this.grantThreshold = Math.max(1, Math.floor(window / 4));
    this.writeDone = this.writeDone.bind(this);
    this.writeFailed = this.writeFailed.bind(this);
  }

  /** Bytes durably handed to the file system so far (counting the resumed prefix). */
  get bytesWritten(): number {
    return this.written;
  }

  /** Bytes received so far (counting the resumed prefix). */
  get bytesReceived(): number {
    return this.received;
  }

  /**
   * One DATA payload.
   * @throws ProtocolError when the sender exceeds its credit (the session ends the connection)
   * @throws SizeMismatchError when it sends past the announced size
   */
  onData(payload: Buffer): void {
    if (this.failure) return; // already failed: drop whatever was in flight
    const n = payload.length;
    if (n > this.outstanding) {
      throw new ProtocolError(`transfer ${this.id}: ${n} bytes sent with only ${this.outstanding} bytes of credit`);
    }
    if (this.received + n > this.size) {
      throw new SizeMismatchError(`transfer ${this.id}: more bytes than the announced ${this.size}`);
    }
    this.outstanding -= n;
    this.received += n;
    this.hash.update(payload);
    this.queue.push(this.copyPayloads ? Buffer.from(payload) : payload);
    if (!this.writing) this.writeNext();
  }

  private writeNext(): void {
    if (this.queue.length === 0) {
      this.writing = false;
      if (this.waiter) this.settle();
      return;
    }
    this.writing = true;
    this.inFlight = this.queue;
    this.queue = [];
    let bytes = 0;
    for (const b of this.inFlight) bytes += b.length;
    this.inFlightBytes = bytes;
    this.current = this.fh.writev(this.inFlight, this.written);
    this.current.then(this.writeDone, this.writeFailed);
  }

  private writeDone(r: { bytesWritten: number }): void {
    this.current = undefined;
    if (this.failure) {
      this.writing = false;
      if (this.waiter) this.settle();
      return;
    }
    if (r.bytesWritten < this.inFlightBytes) {
      // Short write: put the unwritten tail back at the head of the queue.
      let skip = r.bytesWritten;
      const rest: Buffer[] = [];
      for (const b of this.inFlight) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
      }
      this.queue = rest.concat(this.queue);
    }
    this.written += r.bytesWritten;
    this.grantPending += r.bytesWritten;
    this.inFlight = [];
    if (this.written - this.syncedTo >= SYNC_EVERY && this.syncing === undefined) this.syncInBackground();
    this.onProgress?.(this.written);
    if (this.grantPending >= this.grantThreshold || this.written === this.received) this.grant();
    this.writeNext();
  }

  /**
   * Flush what is written so far while the transfer goes on: the final fsync then has little
   * left to do, and a partial kept for resume is mostly durable. A failure here is not fatal
   * (the final fsync reports it).
   */
  private syncInBackground(): void {
    const upTo = this.written;
    this.syncing = this.fh.datasync().then(
      () => {
        this.syncedTo = upTo;
        this.syncing = undefined;
      },
      () => {
        this.syncing = undefined;
      },
    );
  }

  private grant(): void {
    if (this.grantPending === 0 || this.received >= this.size) {
      this.grantPending = 0;
      return;
    }
    this.outstanding += this.grantPending;
    this.conn.send(encodeMessage({ type: MessageType.Credit, id: this.id, bytes: this.grantPending }));
    this.grantPending = 0;
  }

  private writeFailed(err: unknown): void {
    this.current = undefined;
    this.writing = false;
    this.fail(fromFsError(err, 'writing the file'));
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.queue = [];
    this.inFlight = [];
    if (this.waiter) this.settle();
    this.onFailure(err);
  }

  private settle(): void {
    const w = this.waiter!;
    this.waiter = undefined;
    if (this.failure) w.reject(this.failure);
    else w.resolve();
  }

  /** Resolves once every received byte is written (rejects if a write failed). */
  flushed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * The sender says it is done and its file hashes to `expected`: wait for the writes, check
   * size and hash, fsync. Does not close or rename: the caller publishes.
   *
   * @returns the SHA-256 of the whole file
   */
  async finish(expected: Buffer): Promise<Buffer> {
    await this.flushed();
    if (this.received !== this.size) {
      throw new SizeMismatchError(`transfer ${this.id}: ${this.received} bytes received, ${this.size} announced`);
    }
    const digest = this.hash.digest();
    if (!digest.equals(expected)) {
      throw new HashMismatchError(
        `SHA-256 mismatch: received bytes hash to ${digest.toString('hex')}, the sender's file to ${expected.toString('hex')}`,
      );
    }
    try {
      // Drop any stale tail beyond the announced size (a longer old partial), then flush.
      await this.syncing;
      await this.fh.truncate(this.size);
      await this.fh.sync();
    } catch (err) {
      throw fromFsError(err, 'flushing the file');
    }
    return digest;
  }

  /** Resolves when no write is in flight (so the file handle can be closed safely). */
  async quiesce(): Promise<void> {
    while (this.current) await this.current.catch(() => {});
    await this.syncing;
  }

  /** Stop: drop queued bytes; a write in flight finishes on its own (see {@link quiesce}). Idempotent. */
  abort(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.queue = [];
    if (this.waiter && !this.writing) this.settle();
  }
}
