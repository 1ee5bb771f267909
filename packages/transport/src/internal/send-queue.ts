import type { Socket } from 'node:net';
import type { Encoder, FrameParts } from '@iocp/framing';
import { EncodeError } from '../errors.js';
import type { RegionHolder, Slab } from './out-pool.js';
import type { PortCore } from './port-core.js';

/** What a send queue needs from its connection. */
export interface SendOwner {
  readonly socket: Socket;
  /** Hard cap on queued bytes (`sendQueue.maxBytes`, never below the codec's largest frame). */
  readonly maxBytes: number;
  readonly codecName: string;
  /** Bytes left the socket: counts as write progress for the watchdog. */
  wrote(): void;
  /** Queued bytes fell to the low watermark after the queue had been above the high one. */
  drained(): void;
  /** Queuing `n` more bytes would pass `maxBytes`: the owner closes the connection. */
  overflowed(queued: number, n: number): void;
  /** The connection is gone: drop what is queued instead of writing it. */
  readonly gone: boolean;
}

const EMPTY = Buffer.alloc(0);
/** Prefixes of `sendParts` are sized here before being queued (no codec writes more than 16 bytes). */
const SCRATCH = Buffer.alloc(64);
/** Room reserved for the head `encodeParts` writes when the encoder gives no `maxPrefixLength`. */
const DEFAULT_HEAD_ROOM = 64;
/**
 * The payload list handed to `encodeParts`: one for the whole process (sends run on the main
 * thread, one at a time), emptied after every use, so a large typed send allocates no array.
 */
const PAYLOADS: Uint8Array[] = [];

/** For error messages: "a 12-byte frame" for bytes, "a Reply message" for anything else. */
function describe(msg: unknown): string {
  if (msg instanceof Uint8Array) return `a ${msg.byteLength}-byte frame`;
  const name = msg !== null && typeof msg === 'object' ? msg.constructor?.name : undefined;
  return `a ${name ?? typeof msg} message`;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * When the `end - at` bytes just before `frame` in its own memory equal the prefix encoded at
 * `region[at, end)`, the wire form of the frame already exists in one piece: return a view of
 * it. Comparing (not assuming) keeps this exact for any frame; it pays off for frames received
 * with the same codec and sent on unchanged.
 */
function inPlaceWire(frame: Uint8Array, region: Buffer, at: number, end: number): Buffer | undefined {
  const n = end - at;
  const start = frame.byteOffset - n;
  if (start < 0) return undefined;
  const mem = new Uint8Array(frame.buffer, start, n);
  for (let i = 0; i < n; i++) if (mem[i] !== region[at + i]) return undefined;
  return Buffer.from(frame.buffer, start, frame.byteLength + n);
}

/**
 * The send path of one connection: what happens to the bytes an app sends.
 *
 * ```
 *  send(msg) ─┬─ small (≤ copyThreshold): encoded into the port's pooled slab region
 *             ├─ large, encodeParts: head into the region, payloads as they are (small ones copied)
 *             └─ large, encodePrefix (bytes): prefix into the region, the frame queued as it is
 *  sendParts(parts) ─ prefix into the region, every part queued as a view (no join)
 *
 *  end of the event-loop turn ─► flush(): one (vectored) write of everything queued
 *  queued ≥ highWaterMark ─► flush now: bytes the kernel takes at once never make the
 *                            connection unwritable; only what it could not take does
 *  write finished ─► queued = bytes the socket still holds; ≤ lowWaterMark ─► drained()
 * ```
 *
 * `queued` counts bytes waiting here plus bytes the socket has not handed to the kernel. It is
 * created when a connection first sends and dropped by the connection once idle, so a quiet
 * connection holds none of this.
 */
export class SendQueue implements RegionHolder {
  /** Bytes queued here plus bytes the socket still holds. */
  queued = 0;
  /** Above the high watermark (not writable) until the queue falls to the low watermark. */
  aboveHigh = false;
  /** Registered with the port for the end-of-turn flush. */
  dirty = false;
  regionPos = 0;
  regionEnd = 0;
  /** Watchdog: sweep time since which queued bytes made no write progress; -1 = not stalled. */
  stallSince = -1;
  /** Watchdog: bytes the socket's handle still held at the last sweep; -1 = unknown. */
  lastBacklog = -1;

  /** Bytes queued since the last flush. */
  private pendBytes = 0;
  /**
   * Buffers to write at the next flush: slots `[0, count)`. The array keeps its storage across
   * flushes (slots are cleared, the length is not cut), so a busy connection does not allocate
   * a new one every turn.
   */
  private readonly chunks: (Buffer | undefined)[] = [];
  private count = 0;
  private region: Buffer | null = null;
  private regionStart = 0;
  private writtenCb: ((err?: Error | null) => void) | undefined = undefined;
  /** Slabs pinned by asynchronous writes, oldest first (created when first needed). */
  private pinned: Slab[] | undefined = undefined;

  constructor(
    private readonly owner: SendOwner,
    private readonly core: PortCore,
    private readonly encoder: Encoder<unknown>,
  ) {}

  /** Nothing queued and no write in flight: the connection may drop this object. */
  get idle(): boolean {
    return this.queued === 0 && !this.dirty && (this.pinned === undefined || this.pinned.length === 0);
  }

  /**
   * Encode `msg` (bytes for a byte codec, the codec's message type for a typed one) and queue
   * it. False when it would pass the cap.
   */
  send(msg: unknown): boolean {
    const enc = this.encoder;
    let n: number;
    try {
      n = enc.encodedLength(msg);
    } catch (cause) {
      throw new EncodeError(`cannot encode ${describe(msg)} with codec ${this.owner.codecName}`, { cause });
    }
    if (this.queued + n > this.owner.maxBytes) {
      this.owner.overflowed(this.queued, n);
      return false;
    }
    if (n <= this.core.opts.copyThreshold) {
      if (this.regionEnd - this.regionPos < n) this.reserve(n);
      this.regionPos = enc.encodeInto(msg, this.region!, this.regionPos);
    } else if (enc.encodeParts !== undefined) {
      this.sendEncodedParts(msg, n);
    } else if (enc.encodePrefix !== undefined) {
      // A byte encoder: the message is the frame's bytes.
      const frame = msg as Uint8Array;
      const room = enc.maxPrefixLength ?? 16;
      if (this.regionEnd - this.regionPos < room) this.reserve(room);
      const region = this.region!;
      const at = this.regionPos;
      const end = enc.encodePrefix(frame, region, at);
      const inPlace = inPlaceWire(frame, region, at, end);
      if (inPlace !== undefined) {
        // The frame still sits right after the very bytes its prefix encodes to (an echo or a
        // relay of a received frame): one view of header + frame, the region prefix dropped.
        this.seal();
        this.chunks[this.count++] = inPlace;
      } else {
        this.regionPos = end;
        this.seal();
        this.chunks[this.count++] = asBuffer(frame);
      }
      this.suffix();
    } else {
      const own = Buffer.allocUnsafeSlow(n);
      enc.encodeInto(msg, own, 0);
      this.seal();
      this.chunks[this.count++] = own;
    }
    this.core.messagesOut++;
    this.accept(n);
    return true;
  }

  /**
   * A large message through `encoder.encodeParts`: its head written into the pooled region,
   * payloads up to `copyThreshold` copied next to it, larger ones queued as they are (no copy).
   * Everything leaves in the same vectored write. Head plus payloads must be the `n` bytes
   * `encodedLength` announced (checked: the cap and the write accounting rely on it).
   */
  private sendEncodedParts(msg: unknown, n: number): void {
    const enc = this.encoder;
    const room = enc.maxPrefixLength ?? DEFAULT_HEAD_ROOM;
    if (this.regionEnd - this.regionPos < room) this.reserve(room);
    const at = this.regionPos;
    const payloads = PAYLOADS;
    let total: number;
    try {
      const end = enc.encodeParts!(msg, this.region!, at, payloads);
      total = end - at;
      if (!(end >= at && end - at <= room)) {
        throw new Error(`encodeParts wrote a ${total}-byte head, room was ${room} (maxPrefixLength)`);
      }
      for (let i = 0; i < payloads.length; i++) total += payloads[i]!.byteLength;
      if (total !== n) throw new Error(`encodeParts produced ${total} bytes, encodedLength said ${n}`);
      this.regionPos = end;
    } catch (cause) {
      payloads.length = 0;
      throw new EncodeError(`cannot encode ${describe(msg)} with codec ${this.owner.codecName}`, { cause });
    }
    const threshold = this.core.opts.copyThreshold;
    for (let i = 0; i < payloads.length; i++) {
      const p = payloads[i]!;
      if (p.byteLength <= threshold) {
        if (this.regionEnd - this.regionPos < p.byteLength) this.reserve(p.byteLength);
        this.region!.set(p, this.regionPos);
        this.regionPos += p.byteLength;
      } else {
        this.seal();
        this.chunks[this.count++] = asBuffer(p);
      }
    }
    payloads.length = 0;
  }

  /**
   * Queue a frame held as several views (a large frame received across chunks) without joining
   * them: the prefix goes into the pooled region, small parts are copied next to it, large parts
   * are queued as they are. Codecs without `encodePrefixFor` get one joined copy.
   */
  sendParts(frame: FrameParts): boolean {
    const enc = this.encoder;
    const prefixFor = enc.encodePrefixFor;
    if (prefixFor === undefined) return this.send(frame.toBuffer());
    const length = frame.length;
    const suffixLength = enc.suffix?.length ?? 0;
    let prefix: number;
    try {
      // Sized in scratch space first: nothing is queued for a frame that cannot be encoded or
      // would pass the cap.
      prefix = prefixFor.call(enc, length, SCRATCH, 0);
    } catch (cause) {
      throw new EncodeError(`cannot encode a ${length}-byte frame with codec ${this.owner.codecName}`, { cause });
    }
    const n = prefix + length + suffixLength;
    if (this.queued + n > this.owner.maxBytes) {
      this.owner.overflowed(this.queued, n);
      return false;
    }
    if (this.regionEnd - this.regionPos < prefix) this.reserve(prefix);
    SCRATCH.copy(this.region!, this.regionPos, 0, prefix);
    this.regionPos += prefix;
    const threshold = this.core.opts.copyThreshold;
    const parts = frame.parts;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.length <= threshold) {
        if (this.regionEnd - this.regionPos < p.length) this.reserve(p.length);
        this.region!.set(p, this.regionPos);
        this.regionPos += p.length;
      } else {
        this.seal();
        this.chunks[this.count++] = p;
      }
    }
    this.suffix();
    this.core.messagesOut++;
    this.accept(n);
    return true;
  }

  /** Queue bytes as they are. False when they would pass the cap. */
  sendRaw(bytes: Uint8Array): boolean {
    const n = bytes.byteLength;
    if (n === 0) return true;
    if (this.queued + n > this.owner.maxBytes) {
      this.owner.overflowed(this.queued, n);
      return false;
    }
    if (n <= this.core.opts.copyThreshold) {
      if (this.regionEnd - this.regionPos < n) this.reserve(n);
      this.region!.set(bytes, this.regionPos);
      this.regionPos += n;
    } else {
      this.seal();
      this.chunks[this.count++] = asBuffer(bytes);
    }
    this.accept(n);
    return true;
  }

  /** Write everything queued in one (vectored) write. Called by the port once per turn. */
  flush(): void {
    this.dirty = false;
    this.core.pool.trim(this);
    this.seal();
    this.region = null;
    this.regionStart = this.regionPos = this.regionEnd = 0;
    const chunks = this.chunks;
    const count = this.count;
    if (count === 0) return;
    const s = this.owner.socket;
    if (this.owner.gone || s.destroyed) {
      this.clearChunks();
      return;
    }
    if (count === 1) {
      s.write(chunks[0]!);
    } else {
      s.cork();
      for (let i = 0; i < count; i++) s.write(chunks[i]!);
      s.uncork();
    }
    this.clearChunks();
    const core = this.core;
    core.bytesOut += this.pendBytes;
    core.writeCalls++;
    this.pendBytes = 0;
    if (s.writableLength === 0) {
      // The kernel took everything synchronously: no callback needed, the pool may reuse the bytes.
      this.progress();
    } else {
      // Still queued: keep the slab alive and learn when the queue moved (an empty write's
      // callback runs after everything written before it).
      this.pinned ??= [];
      this.pinned.push(core.pool.pin());
      this.writtenCb ??= (err?: Error | null) => this.onWritten(err);
      s.write(EMPTY, this.writtenCb);
    }
  }

  /** Forget everything queued (the connection is closing without a flush, or closed). */
  drop(): void {
    this.core.queued -= this.queued;
    this.queued = 0;
    this.pendBytes = 0;
    this.clearChunks();
    this.core.pool.trim(this);
    this.region = null;
    this.regionStart = this.regionPos = this.regionEnd = 0;
  }

  // ---------------------------------------------------------------- internals

  /** Forget the queued buffers without giving up the array's storage. */
  private clearChunks(): void {
    const chunks = this.chunks;
    for (let i = 0; i < this.count; i++) chunks[i] = undefined;
    this.count = 0;
  }

  private suffix(): void {
    const suffix = this.encoder.suffix;
    if (suffix !== undefined && suffix.length > 0) {
      if (this.regionEnd - this.regionPos < suffix.length) this.reserve(suffix.length);
      this.region!.set(suffix, this.regionPos);
      this.regionPos += suffix.length;
    }
  }

  private reserve(n: number): void {
    this.seal();
    this.region = this.core.pool.take(this, n);
    this.regionStart = this.regionPos;
  }

  private seal(): void {
    if (this.region !== null && this.regionPos > this.regionStart) {
      this.chunks[this.count++] = this.region.subarray(this.regionStart, this.regionPos);
      this.regionStart = this.regionPos;
    }
  }

  private accept(n: number): void {
    this.queued += n;
    this.pendBytes += n;
    const core = this.core;
    core.queued += n;
    if (core.queued > core.queuedPeak) core.queuedPeak = core.queued;
    if (this.queued > core.connectionQueuedPeak) core.connectionQueuedPeak = this.queued;
    core.budget.changed();
    if (!this.dirty) core.markDirty(this);
    if (!this.aboveHigh && this.queued >= core.opts.highWaterMark) {
      // Offer the bytes to the kernel before calling the connection unwritable: writability is
      // about what the socket could not take, not about what this turn happened to queue.
      this.flush();
      if (this.queued >= core.opts.highWaterMark) this.aboveHigh = true;
    }
  }

  private onWritten(err: Error | null | undefined): void {
    const slab = this.pinned?.shift();
    if (slab !== undefined) this.core.pool.release(slab);
    if (err || this.owner.gone) return;
    this.progress();
  }

  /** Bytes left the socket: update the accounting, count activity, maybe signal drain. */
  private progress(): void {
    this.owner.wrote();
    const q = this.pendBytes + this.owner.socket.writableLength;
    this.core.queued += q - this.queued;
    this.queued = q;
    this.core.budget.changed();
    if (this.aboveHigh && q <= this.core.opts.lowWaterMark) {
      this.aboveHigh = false;
      this.owner.drained();
    }
  }
}
