import type { FrameConnection, FrameSink } from '../../src/index.js';

/** One end of an in-memory frame pipe: async delivery, a send queue with watermarks. */
export class MemoryEnd implements FrameConnection {
  peer!: MemoryEnd;
  sink: FrameSink | undefined;
  queued: Buffer[] = [];
  queuedBytes = 0;
  peakQueuedBytes = 0;
  open = true;
  private above = false;
  private scheduled = false;
  /** Applied to every frame sent from this end (tests inject corruption here). */
  tamper: ((frame: Buffer) => Buffer) | undefined;

  constructor(
    readonly highWaterMark = 64 * 1024,
    readonly lowWaterMark = 16 * 1024,
  ) {}

  get writable(): boolean {
    return this.open && this.queuedBytes < this.highWaterMark;
  }

  send(frame: Uint8Array): boolean {
    if (!this.open) return false;
    let f: Buffer = Buffer.from(frame); // a copy, like bytes on a wire
    if (this.tamper) f = this.tamper(f);
    this.queued.push(f);
    this.queuedBytes += f.length;
    this.peakQueuedBytes = Math.max(this.peakQueuedBytes, this.queuedBytes);
    if (this.queuedBytes >= this.highWaterMark) this.above = true;
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const frames = this.queued;
    this.queued = [];
    for (const f of frames) {
      this.queuedBytes -= f.length;
      if (this.peer.open) this.peer.sink?.onFrame(f);
    }
    if (this.above && this.queuedBytes < this.lowWaterMark) {
      this.above = false;
      if (this.open) this.sink?.onDrain();
    }
    if (this.closing && this.queued.length === 0) this.destroy();
  }

  private closing = false;
  close(): void {
    if (!this.open) return;
    this.closing = true;
    this.schedule();
  }

  destroy(error?: Error): void {
    if (!this.open) return;
    this.open = false;
    this.queued = [];
    this.queuedBytes = 0;
    const peer = this.peer;
    setImmediate(() => {
      this.sink?.onClose(error);
      if (peer.open) {
        peer.open = false;
        peer.sink?.onClose(error ?? new Error('peer closed'));
      }
    });
  }
}

/** Two connected ends. */
export function memoryPair(highWaterMark?: number): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd(highWaterMark);
  const b = new MemoryEnd(highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
