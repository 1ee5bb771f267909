import { ConnectionClosedError, type EchoClientError, EchoMismatchError, EchoTimeoutError } from './errors.js';

/** How replies are matched to messages. */
export type EchoMode = 'framed' | 'raw';

/** Most bytes of a preview shown in a mismatch message. */
const PREVIEW_BYTES = 40;

function preview(bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.subarray(0, PREVIEW_BYTES)).toString('utf8');
  return JSON.stringify(shown) + (bytes.length > PREVIEW_BYTES ? '…' : '');
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

interface Waiter {
  readonly index: number;
  readonly sent: Buffer;
  readonly resolve: (echo: Buffer) => void;
  readonly reject: (error: EchoClientError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Matches what the server sends back against what was sent, one message at a time.
 *
 * - framed: the next frame must equal the message.
 * - raw: a byte stream has no frames, so the next `sent.length` bytes must equal the message;
 *   each chunk is compared as it arrives, so a wrong byte fails at once instead of at the
 *   timeout.
 *
 * Memory: at most one message's worth of received bytes is held. Anything the server sends
 * while no message is outstanding is a protocol violation and fails the session.
 */
export class EchoSession {
  private waiter: Waiter | undefined;
  /** Raw mode: chunks received for the outstanding message, and their total length. */
  private chunks: Buffer[] = [];
  private received = 0;
  private failure: EchoClientError | undefined;
  private count = 0;

  constructor(private readonly mode: EchoMode) {}

  /** Messages fully echoed so far. */
  get matched(): number {
    return this.count;
  }

  /** Feed one frame (framed) or chunk (raw) from the connection. */
  push(data: Buffer): void {
    if (this.failure) return;
    const w = this.waiter;
    if (w === undefined) {
      this.fail(new EchoMismatchError(`server sent ${data.length} bytes nobody asked for: ${preview(data)}`));
      return;
    }
    if (this.mode === 'framed') {
      if (data.equals(w.sent)) this.settle(Buffer.from(data));
      else this.fail(this.mismatch(w, data));
      return;
    }
    const room = w.sent.length - this.received;
    if (data.length > room) {
      this.fail(new EchoMismatchError(`message ${w.index}: got ${this.received + data.length} bytes back for ${w.sent.length} sent`));
      return;
    }
    const expected = w.sent.subarray(this.received, this.received + data.length);
    if (!expected.equals(data)) {
      const at = this.received + firstDifference(expected, data);
      this.fail(new EchoMismatchError(`message ${w.index}: byte ${at} differs (sent ${preview(w.sent)})`));
      return;
    }
    this.chunks.push(Buffer.from(data));
    this.received += data.length;
    if (this.received === w.sent.length) {
      const echo = Buffer.concat(this.chunks, this.received);
      this.settle(echo);
    }
  }

  /** The connection ended; fails an outstanding message. */
  closed(reason: string, error?: Error): void {
    if (this.failure) return;
    const w = this.waiter;
    if (w === undefined) {
      this.failure = new ConnectionClosedError(`server closed the connection (${reason})`, { cause: error });
      return;
    }
    const detail = error ? `: ${error.message}` : '';
    this.fail(new ConnectionClosedError(`connection closed (${reason}${detail}) before message ${w.index} was echoed`, { cause: error }));
  }

  /**
   * Wait for the echo of `sent` (already written by the caller). Resolves with the echo, or
   * rejects with a mismatch, timeout or connection-closed error. One message at a time.
   */
  expect(sent: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('EchoSession.expect: a message is already outstanding'));
    const index = this.count + 1;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        const got = this.mode === 'raw' ? ` (got ${this.received} of ${sent.length} bytes)` : '';
        this.fail(new EchoTimeoutError(`no echo for message ${index} within ${timeoutMs} ms${got}`));
      }, timeoutMs);
      this.waiter = { index, sent, resolve, reject, timer };
    });
  }

  /** The error that ended the session, if any (e.g. unsolicited bytes after the last echo). */
  get error(): EchoClientError | undefined {
    return this.failure;
  }

  private mismatch(w: Waiter, got: Buffer): EchoMismatchError {
    return new EchoMismatchError(
      `message ${w.index}: sent ${w.sent.length} bytes ${preview(w.sent)}, got ${got.length} bytes ${preview(got)}`,
    );
  }

  private settle(echo: Buffer): void {
    const w = this.waiter!;
    clearTimeout(w.timer);
    this.waiter = undefined;
    this.chunks = [];
    this.received = 0;
    this.count++;
    w.resolve(echo);
  }

  private fail(error: EchoClientError): void {
    this.failure = error;
    const w = this.waiter;
    if (w === undefined) return;
    clearTimeout(w.timer);
    this.waiter = undefined;
    this.chunks = [];
    this.received = 0;
    w.reject(error);
  }
}
