import type { JobError } from './errors.js';
import type { JobHandler } from './job-handler.js';
import type { JobPool } from './job-pool.js';

/**
 * The members of a `@iocp/transport` `Connection` this adapter uses. Typed structurally, so any
 * object with them works (and a transport `Connection` is one).
 */
export interface JobConnection {
  /** Stable handle of the connection: the pool key. */
  readonly handle: number;
  /** False once the connection is closed. */
  readonly open: boolean;
  /**
   * False while the connection's send queue is above its high watermark (optional: a
   * connection without it counts as always writable).
   */
  readonly writable?: boolean | undefined;
  /** Queue a frame for the peer; false if not queued (closed). */
  send(frame: Uint8Array): boolean;
  /** Stop reading from the socket. */
  pause(): void;
  /** Start reading again. */
  resume(): void;
  /** Drop the connection now. */
  destroy(error?: Error): void;
}

/** Options of {@link ConnectionJobs} and {@link jobPoolHandler}. */
export interface ConnectionJobsOptions {
  /**
   * What to send when a job fails. Return a frame to send in the failed job's place, or
   * `undefined` to destroy the connection with the error. Default: destroy.
   */
  onJobError?: ((conn: JobConnection, error: JobError) => Uint8Array | undefined) | undefined;
  /**
   * Move a frame's bytes to the worker without copying them when the frame is the whole of its
   * `ArrayBuffer` (the transport does that for frames it had to reassemble). Only safe when
   * nothing else uses that buffer afterwards. Default `false`: each frame is copied once into an
   * exact-size buffer, which is then moved (never the whole socket chunk behind a view).
   */
  transferOwnedFrames?: boolean | undefined;
}

/**
 * Runs one connection's frames as jobs of a {@link JobPool} and sends the results back in
 * request order.
 *
 * ```
 *  frame ─► submit() ─► pool (key = conn.handle) ─► onResult ─► conn.send(result)   in order
 *                           │ key over its high watermark ─► conn.pause()
 *                           │ back at its low watermark   ─► conn.resume()
 *  conn.send() leaves conn not writable ─► conn.pause();  drained() ─► conn.resume()
 *  close() ─► pool.cancelKey(handle): queued jobs dropped, no further send
 * ```
 *
 * One instance per connection, registered once as the key's handler: nothing is allocated per
 * frame besides the frame's copy (and its transfer list).
 */
export class ConnectionJobs implements JobHandler<Uint8Array, number> {
  readonly #pool: JobPool<Uint8Array, Uint8Array, number>;
  readonly #conn: JobConnection;
  readonly #onJobError: ConnectionJobsOptions['onJobError'];
  readonly #transferOwned: boolean;
  #paused = false;
  #writeBlocked = false;
  #readPaused = false;
  #closed = false;
  #resumed: Promise<void> | null = null;
  #resolveResumed: (() => void) | null = null;
  #idle: Promise<void> | null = null;
  #resolveIdle: (() => void) | null = null;

  /** Opens `conn.handle` as a key of `pool` with this object as its handler. */
  constructor(
    pool: JobPool<Uint8Array, Uint8Array, number>,
    conn: JobConnection,
    options: ConnectionJobsOptions = {},
  ) {
    this.#pool = pool;
    this.#conn = conn;
    this.#onJobError = options.onJobError;
    this.#transferOwned = options.transferOwnedFrames === true;
    pool.openKey(conn.handle, this);
  }

  /** Whether the pool paused this connection (too many jobs in flight). */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Call from the transport's `onDrain`: the send queue fell below its low watermark, so
   * reading may resume (unless the pool still holds the connection paused).
   */
  drained(): void {
    this.#writeBlocked = false;
    this.#updateFlow();
  }

  /**
   * Submit `frame` as a job. Returns `false` when the connection is now paused (or the job was
   * refused: then the connection is destroyed with the coded error).
   */
  submit(frame: Uint8Array): boolean {
    if (this.#closed) return false;
    let bytes: Uint8Array;
    if (
      this.#transferOwned &&
      frame.byteOffset === 0 &&
      frame.byteLength === frame.buffer.byteLength &&
      frame.buffer instanceof ArrayBuffer
    ) {
      bytes = frame;
    } else {
      // Exact-size copy: cloning a view would copy its whole backing buffer.
      bytes = new Uint8Array(frame);
    }
    try {
      return this.#pool.submit(
        this.#conn.handle,
        bytes,
        bytes.byteLength > 0 ? [bytes.buffer as ArrayBuffer] : undefined,
      );
    } catch (error) {
      this.close();
      this.#conn.destroy(error as Error);
      return false;
    }
  }

  /**
   * A promise that settles when the connection is resumed (at once when it is not paused).
   * Returning it from a transport `onMessage` holds that connection's later frames too.
   */
  whenResumed(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    if (this.#resumed === null) {
      this.#resumed = new Promise<void>((resolve) => {
        this.#resolveResumed = resolve;
      });
    }
    return this.#resumed;
  }

  /** Jobs of this connection accepted and not yet answered (0 once closed). */
  get inFlight(): number {
    return this.#closed ? 0 : this.#pool.inFlight(this.#conn.handle);
  }

  /**
   * A promise that settles once every job submitted so far has been answered (its result sent,
   * or its error handled), or the connection's jobs were cancelled by {@link close} — at once
   * when nothing is in flight. Returning it from a transport `onEnd` keeps the write side open
   * after the peer's half-close until the last reply has been queued.
   */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    if (this.#idle === null) {
      this.#idle = new Promise<void>((resolve) => {
        this.#resolveIdle = resolve;
      });
    }
    return this.#idle;
  }

  /** Cancel the connection's jobs (no further send). Returns how many were dropped. */
  close(): number {
    if (this.#closed) return 0;
    this.#closed = true;
    const dropped = this.#pool.cancelKey(this.#conn.handle);
    this.#settleResumed();
    this.#settleIdle();
    return dropped;
  }

  /** @internal Pool callback: send the result. */
  onResult(_key: number, result: Uint8Array): void {
    if (!this.#conn.open) return;
    this.#conn.send(result);
    if (this.#conn.writable === false && !this.#writeBlocked) {
      // A peer that sends but does not read stalls itself instead of growing the send queue.
      this.#writeBlocked = true;
      this.#updateFlow();
    }
    if (this.#resolveIdle !== null && this.inFlight === 0) this.#settleIdle();
  }

  /** @internal Pool callback: send the error reply or destroy the connection. */
  onError(_key: number, error: JobError): void {
    const reply = this.#onJobError?.(this.#conn, error);
    if (reply !== undefined) {
      if (this.#conn.open) this.#conn.send(reply);
      if (this.#resolveIdle !== null && this.inFlight === 0) this.#settleIdle();
      return;
    }
    this.close();
    this.#conn.destroy(error);
  }

  /** @internal Pool callback: pause or resume reading. */
  onPressure(_key: number, paused: boolean): void {
    this.#paused = paused;
    this.#updateFlow();
    if (!paused) this.#settleResumed();
  }

  /** Reading is paused while the pool holds the key or the send queue is full. */
  #updateFlow(): void {
    const pause = this.#paused || this.#writeBlocked;
    if (pause === this.#readPaused) return;
    this.#readPaused = pause;
    if (pause) this.#conn.pause();
    else this.#conn.resume();
  }

  #settleIdle(): void {
    const resolve = this.#resolveIdle;
    this.#idle = null;
    this.#resolveIdle = null;
    resolve?.();
  }

  #settleResumed(): void {
    const resolve = this.#resolveResumed;
    this.#resumed = null;
    this.#resolveResumed = null;
    resolve?.();
  }
}

/** A transport-style handler object (the subset of `@iocp/transport`'s `Handler` it fills). */
export interface JobPoolHandler {
  /** Attaches the connection to the pool. */
  onOpen(conn: JobConnection): void;
  /**
   * Submits the frame; when the connection got paused, returns a promise that settles on
   * resume, so the transport holds this connection's next frames as well.
   */
  onMessage(conn: JobConnection, frame: Uint8Array): undefined | Promise<void>;
  /** The connection's send queue drained: resume reading unless the pool holds it. */
  onDrain(conn: JobConnection): void;
  /**
   * The peer half-closed after its last frame: returns a promise that settles once the replies
   * of the connection's jobs still in flight have been sent (the transport keeps the write side
   * open until then), or `undefined` when nothing is in flight.
   */
  onEnd(conn: JobConnection): undefined | Promise<void>;
  /**
   * The peer sent a frame the codec refused (the transport closes the connection gracefully
   * after this): like {@link JobPoolHandler.onEnd}, returns a promise that settles once the
   * replies to the frames before the bad one have been sent, so they are not lost; `undefined`
   * when nothing is in flight. The close stays bounded by the transport's `timeouts.closeMs`.
   */
  onFrameError(conn: JobConnection, error: Error): undefined | Promise<void>;
  /** Cancels the connection's jobs. */
  onClose(conn: JobConnection): void;
}

/**
 * A handler to pass to `port.listen(options, handler)`: every frame of every connection becomes
 * a job of `pool`, results go back in request order, reading pauses while a connection has too
 * many jobs in flight or its send queue is over the high watermark (until `onDrain`), a peer's
 * half-close or bad frame waits for the replies still in flight (`onEnd`, `onFrameError`), and a
 * closed connection's jobs are cancelled.
 */
export function jobPoolHandler(
  pool: JobPool<Uint8Array, Uint8Array, number>,
  options: ConnectionJobsOptions = {},
): JobPoolHandler {
  const byHandle = new Map<number, ConnectionJobs>();
  const attach = (conn: JobConnection): ConnectionJobs => {
    const jobs = new ConnectionJobs(pool, conn, options);
    byHandle.set(conn.handle, jobs);
    return jobs;
  };
  const repliesInFlight = (conn: JobConnection): undefined | Promise<void> => {
    const jobs = byHandle.get(conn.handle);
    return jobs === undefined || jobs.inFlight === 0 ? undefined : jobs.whenIdle();
  };
  return {
    onOpen(conn) {
      if (!byHandle.has(conn.handle)) attach(conn);
    },
    onMessage(conn, frame) {
      const jobs = byHandle.get(conn.handle) ?? (conn.open ? attach(conn) : undefined);
      if (jobs === undefined) return undefined;
      return jobs.submit(frame) || !jobs.paused ? undefined : jobs.whenResumed();
    },
    onDrain(conn) {
      byHandle.get(conn.handle)?.drained();
    },
    onEnd: repliesInFlight,
    onFrameError: repliesInFlight,
    onClose(conn) {
      const jobs = byHandle.get(conn.handle);
      if (jobs === undefined) return;
      byHandle.delete(conn.handle);
      jobs.close();
    },
  };
}
