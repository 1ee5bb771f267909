import type { Message } from '../messages.js';
import type { FileReceiver } from './file-receiver.js';
import type { FileSender } from './file-sender.js';

/**
 * One request of a client session: the replies addressed to its id, in order. DATA and CREDIT
 * never land here (they go straight to the receiver or sender); the inbox holds only control
 * replies, which the request's owner consumes as they come, so it stays small.
 */
export class PendingRequest {
  sender: FileSender | undefined;
  receiver: FileReceiver | undefined;
  /** Runs synchronously when a message arrives, before anything else (e.g. to create the receiver). */
  onMessage: ((m: Message) => void) | undefined;
  private readonly inbox: Message[] = [];
  private waiting: { resolve: (m: Message) => void; reject: (err: Error) => void } | undefined;
  private error: Error | undefined;
  /**
   * Response watchdog: while `watched`, the session fails the request when `seen` (the
   * session's tick of the last reply or progress) falls `timeoutMs` behind. Not watched while the
   * client itself is busy (hashing a local prefix, syncing a download).
   */
  watched = false;
  seen = 0;

  constructor(
    readonly id: number,
    /** What the request does, for error messages (`PUT reports/a.pdf`). */
    readonly what: string,
  ) {}

  get failed(): boolean {
    return this.error !== undefined;
  }

  deliver(m: Message): void {
    if (this.error) return;
    this.onMessage?.(m);
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve(m);
    } else this.inbox.push(m);
  }

  fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.sender?.abort(err);
    this.receiver?.abort(err);
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
  }

  /** The next reply; rejects with the request's error. */
  next(): Promise<Message> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    if (this.error) return Promise.reject(this.error);
    return new Promise<Message>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}
