/**
 * What the protocol logic needs from a connection: nothing more. A transport `Connection` from
 * `@iocp/transport` satisfies it as-is; so does a tiny adapter over `node:net` + a framing
 * `FrameReader`, or an in-memory pipe in tests. This is the seam that keeps the protocol
 * transport-agnostic.
 *
 * Rules: `send` never blocks and never throws for a closed connection (it returns false).
 * Senders of bulk data check `writable` and wait for the owner to call the session's
 * `onDrain()`; control messages are sent regardless (they are tiny and bounded in number).
 */
export interface FrameConnection {
  /** Queue one frame (the payload; the framing codec adds the header). False when closed. */
  send(frame: Uint8Array): boolean;
  /** True while queued bytes are below the high watermark. */
  readonly writable: boolean;
  /** Flush queued frames, then close. */
  close(): void;
  /** Drop the connection now. */
  destroy(error?: Error): void;
}

/**
 * The events a session consumes; whoever owns the connection forwards them in order.
 */
export interface FrameSink {
  /** One complete frame payload. It may be a view into a receive buffer: keep it only if you copy it. */
  onFrame(frame: Buffer): void;
  /** Queued bytes fell below the low watermark: bulk senders may continue. */
  onDrain(): void;
  /** The connection is gone (`error` says why when it was not a clean close). */
  onClose(error?: Error): void;
}
