import { type Histogram, build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { ErrorCodes } from '../errors.js';
import { type EngineConfig, type EngineResult, type MismatchReport, Progress } from './engine-types.js';
import { LoadConnection } from './load-connection.js';
import { FramePool } from './frame-pool.js';
import { PayloadPool } from './payload-pool.js';

/** Connect attempts in progress at once (keeps the listen backlog from overflowing). */
export const MAX_PENDING_CONNECTS = 256;
/** Frames up to this wire size are copied into one buffer per batch; larger ones go as header + pool slice. */
const COPY_LIMIT = 64 * 1024;
/** `--reconnect`: wait this long before connecting again after a failed connect (not after a close). */
const RECONNECT_DELAY_MS = 50;
/** Most messages built into one batch buffer. */
const MAX_BATCH = 4096;

/** A latency histogram in µs: 1 µs .. 1 h, 3 significant digits (grows beyond if needed). */
export function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

/**
 * Runs one thread's share of the load on node:net: opens the connections, drives the chosen
 * pattern, verifies every echoed byte, records latencies, stops on time or budget, drains and
 * closes everything, and reports. One engine per thread; `--threads 1` runs it in the main thread.
 */
export class LoadEngine {
  readonly config: EngineConfig;
  /** Message round-trip latency in µs. */
  readonly latency = newLatencyHistogram();
  /** Connect latency in µs (every connect, warmup included). */
  readonly connectLatency = newLatencyHistogram();
  private readonly progress: Float64Array;
  private readonly pool: PayloadPool;
  /** Framed mode when every frame is small: ready-made frames, sent as slices. */
  private readonly framePool: FramePool | undefined;
  private readonly readBuffer: Buffer;
  private readonly conns: LoadConnection[] = [];
  private readonly settled: Uint8Array;
  /** With a per-connection cap on long connections: 1 once a connection is done (answered all, or gone). */
  private readonly quiet: Uint8Array;
  private readonly headerBytes: number;
  private readonly sizes = new Int32Array(MAX_BATCH);

  private startAt = 0;
  private measureStart = 0;
  private stopAt = 0;
  private nextToOpen = 0;
  private pendingConnects = 0;
  private attemptsSettled = 0;
  private openMs: number | null = null;
  private quietCount = 0;
  private doneMs: number | null = null;
  private nextSource: number;
  private live = 0;
  private stopping = false;
  private finished = false;
  private budgetLeft: number;
  private answeredTotal = 0;
  private warmupTimer: NodeJS.Timeout | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  private rampTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private resolve: ((result: EngineResult) => void) | undefined;

  private sent = 0;
  private received = 0;
  private receivedInWindow = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private bytesReceivedInWindow = 0;
  private shortDone = 0;
  private skipped = 0;
  private unanswered = 0;
  private reconnects = 0;
  private resent = 0;
  private opened = 0;
  private failed = 0;
  private closedEarly = 0;
  private readonly errors = new Map<string, number>();
  private mismatches = 0;
  private firstMismatch: MismatchReport | null = null;

  constructor(config: EngineConfig, progress: Float64Array = new Float64Array(Progress.length)) {
    this.config = config;
    this.progress = progress;
    this.pool = new PayloadPool(config.sizeMin, config.sizeMax);
    this.readBuffer = Buffer.allocUnsafe(config.sizeMax >= 32 * 1024 ? 256 * 1024 : 64 * 1024);
    this.headerBytes = config.mode === 'framed' ? 4 : 0;
    this.framePool = config.mode === 'framed' && config.sizeMax + 4 <= COPY_LIMIT ? new FramePool(this.pool, config.sizeMax) : undefined;
    this.budgetLeft = config.messages > 0 ? config.messages : Number.POSITIVE_INFINITY;
    this.settled = new Uint8Array(config.connections);
    this.quiet = new Uint8Array(config.pattern === 'dense' && config.perConn > 0 ? config.connections : 0);
    this.nextSource = config.connIdBase;
    const ringCapacity = config.pattern === 'timed' ? 16 : Math.max(1, config.depth);
    const maxInflight = config.pattern === 'timed' ? config.maxInflight : Math.max(1, config.depth);
    for (let i = 0; i < config.connections; i++) {
      this.conns.push(new LoadConnection(config.connIdBase + i, this, ringCapacity, maxInflight));
    }
  }

  /** Run to the end: resolves once every socket is closed. */
  run(): Promise<EngineResult> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.startAt = performance.now();
      this.measureStart = this.startAt;
      const { rampPerSec } = this.config;
      this.progress[Progress.phase] = 0;
      if (!this.config.afterOpen) this.startClocks();
      if (rampPerSec > 0 && this.config.connections > 1) {
        this.rampTimer = setInterval(() => this.openMore(), Math.max(1000 / rampPerSec, 1));
      }
      this.openMore();
      this.checkDone();
    });
  }

  /** End the run now: no new messages or connections; in-flight ones get `drainTimeoutMs`. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopAt = performance.now();
    if (this.measureStart > this.stopAt) this.measureStart = this.stopAt;
    this.progress[Progress.phase] = 2;
    clearTimeout(this.warmupTimer);
    clearTimeout(this.durationTimer);
    clearInterval(this.rampTimer);
    for (const conn of this.conns) {
      if (!conn.live) continue;
      if (!conn.open || conn.ring.size === 0) conn.finish();
    }
    if (this.live > 0) this.drainTimer = setTimeout(() => this.onDrainTimeout(), this.config.drainTimeoutMs);
    this.checkDone();
  }

  /** Warmup and duration timers: at start, or with `afterOpen` once every attempt settled. */
  private startClocks(): void {
    const { warmupMs, durationMs } = this.config;
    if (warmupMs > 0) {
      this.warmupTimer = setTimeout(() => this.beginMeasure(), warmupMs);
    } else {
      this.beginMeasure();
    }
    if (durationMs > 0) this.durationTimer = setTimeout(() => this.stop(), warmupMs + durationMs);
  }

  private beginMeasure(): void {
    this.warmupTimer = undefined;
    this.measureStart = performance.now();
    this.latency.reset();
    this.sent = 0;
    this.received = 0;
    this.receivedInWindow = 0;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.bytesReceivedInWindow = 0;
    this.shortDone = 0;
    this.skipped = 0;
    this.progress[Progress.phase] = 1;
  }

  private openMore(): void {
    if (this.stopping) return;
    const { connections, rampPerSec } = this.config;
    const allowed =
      rampPerSec > 0 ? Math.min(connections, Math.floor(((performance.now() - this.startAt) * rampPerSec) / 1000) + 1) : connections;
    while (this.nextToOpen < allowed && this.pendingConnects < MAX_PENDING_CONNECTS) {
      const conn = this.conns[this.nextToOpen++]!;
      this.pendingConnects++;
      this.live++;
      conn.start(this.readBuffer);
    }
    if (this.nextToOpen === connections && this.rampTimer !== undefined) {
      clearInterval(this.rampTimer);
      this.rampTimer = undefined;
    }
  }

  private settle(conn: LoadConnection): void {
    const i = conn.id - this.config.connIdBase;
    if (this.settled[i] === 1) return;
    this.settled[i] = 1;
    if (++this.attemptsSettled === this.config.connections) {
      this.openMs = performance.now() - this.startAt;
      if (this.config.afterOpen && !this.stopping) this.startClocks();
    }
  }

  /** @internal The local address for the next new socket: `--source` round-robin (global order across threads), or undefined. */
  pickSource(): string | undefined {
    const sources = this.config.sources;
    if (sources.length === 0) return undefined;
    return sources[this.nextSource++ % sources.length];
  }

  /** A long connection with a `perConn` cap has all its messages answered, or ended: it adds no more load. */
  private markQuiet(conn: LoadConnection): void {
    const i = conn.id - this.config.connIdBase;
    if (this.quiet.length === 0 || this.quiet[i] === 1) return;
    this.quiet[i] = 1;
    if (++this.quietCount === this.config.connections && !this.stopping) this.doneMs = performance.now() - this.startAt;
  }

  /** @internal A socket connected after `ms`. */
  onConnected(conn: LoadConnection, ms: number): void {
    this.pendingConnects--;
    this.opened++;
    this.progress[Progress.open]!++;
    this.connectLatency.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.settle(conn);
    if (this.stopping) {
      conn.finish();
      return;
    }
    const { pattern, depth, perConn, ratePerSec } = this.config;
    if (pattern === 'dense') {
      const again = conn.resend;
      if (again > 0) {
        // --reconnect: what the last socket left unanswered goes first (already taken from the budget).
        conn.resend = 0;
        this.resent += again;
        this.sendMessages(conn, again);
      }
      if (depth > again) this.sendMessages(conn, this.take(perConn > 0 ? Math.min(depth, perConn) - again : depth - again));
    } else if (pattern === 'timed') {
      conn.startTimer(ratePerSec);
    } else {
      this.sendMessages(conn, this.take(Math.min(depth, perConn)));
      if (conn.sentMessages === 0) conn.finish();
    }
    this.openMore();
  }

  /** @internal `bytes` more echoed bytes verified on `conn`, completing `completed` messages. */
  onAnswered(conn: LoadConnection, completed: number, bytes: number): void {
    this.bytesReceived += bytes;
    this.progress[Progress.bytesReceived]! += bytes;
    if (!this.stopping) this.bytesReceivedInWindow += bytes;
    if (completed === 0) return;
    this.received += completed;
    this.answeredTotal += completed;
    this.progress[Progress.received]! += completed;
    if (!this.stopping) this.receivedInWindow += completed;
    if (this.config.messages > 0 && this.answeredTotal >= this.config.messages) this.stop();
    if (this.stopping) {
      if (conn.ring.size === 0) conn.finish();
      return;
    }
    const { pattern, perConn } = this.config;
    if (pattern === 'dense') {
      if (perConn === 0) {
        this.sendMessages(conn, this.take(completed));
      } else {
        conn.doneMessages += completed;
        const more = Math.min(completed, perConn - conn.sentMessages);
        if (more > 0) this.sendMessages(conn, this.take(more));
        else if (conn.ring.size === 0) this.markQuiet(conn);
      }
    } else if (pattern === 'short') {
      conn.doneMessages += completed;
      const more = this.take(Math.min(completed, this.config.perConn - conn.sentMessages));
      if (more > 0) this.sendMessages(conn, more);
      else if (conn.ring.size === 0) conn.finish();
    }
  }

  /** @internal Timed tick: `due` messages are scheduled on `conn`. */
  sendTimed(conn: LoadConnection, due: number): void {
    if (this.stopping) return;
    const room = conn.ring.room();
    const k = this.take(Math.min(due, room));
    if (due > room) this.skipped += due - room;
    if (k > 0) this.sendMessages(conn, k);
  }

  /** @internal The echo on `conn` differs at stream `offset`. */
  onMismatch(conn: LoadConnection, offset: number, expected: number, actual: number): void {
    this.mismatches++;
    this.progress[Progress.mismatches]!++;
    if (this.firstMismatch === null) {
      this.firstMismatch = { connection: conn.id, offset, expected, actual, atMs: performance.now() - this.startAt };
    }
  }

  /** @internal The socket of `conn` closed; `code` says why when it was a failure. */
  onClosed(conn: LoadConnection, wasConnected: boolean, code: string | undefined): void {
    this.live--;
    const reconnect = this.config.reconnect && !this.stopping && code !== undefined && !conn.mismatched;
    if (!this.stopping && !reconnect) this.markQuiet(conn);
    if (this.config.reconnect && code !== undefined && code !== ErrorCodes.drainTimeout) conn.resend += conn.ring.size;
    if (!wasConnected) {
      this.pendingConnects--;
      if (code !== undefined) {
        this.failed++;
        this.progress[Progress.failed]!++;
        this.addError(code);
      }
      this.settle(conn);
    } else {
      this.progress[Progress.open]!--;
      if (code !== undefined) {
        this.closedEarly++;
        this.addError(code);
      } else if (this.config.pattern === 'short' && !conn.mismatched && conn.doneMessages === this.config.perConn) {
        if (!this.stopping) this.shortDone++;
        this.progress[Progress.shortDone]!++;
      }
    }
    if (
      this.config.pattern === 'short' &&
      !this.stopping &&
      code === undefined &&
      wasConnected &&
      !conn.mismatched &&
      this.budgetLeft > 0
    ) {
      this.pendingConnects++;
      this.live++;
      conn.start(this.readBuffer);
    } else if (reconnect) {
      this.reconnectLater(conn, wasConnected ? 0 : RECONNECT_DELAY_MS);
    } else {
      if (this.config.reconnect && conn.resend > 0) {
        // Closed while stopping: what it still owed is lost.
        this.unanswered += conn.resend;
        conn.resend = 0;
      }
      this.openMore();
    }
    this.checkDone();
  }

  /** `--reconnect`: a new socket for `conn` after `delayMs` (counted live meanwhile, so the run waits for it). */
  private reconnectLater(conn: LoadConnection, delayMs: number): void {
    this.live++;
    this.reconnects++;
    setTimeout(() => {
      if (this.stopping) {
        this.live--;
        this.unanswered += conn.resend;
        conn.resend = 0;
        this.checkDone();
        return;
      }
      this.pendingConnects++;
      conn.start(this.readBuffer);
    }, delayMs);
  }

  private addError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    this.progress[Progress.errors]!++;
  }

  private onDrainTimeout(): void {
    this.drainTimer = undefined;
    for (const conn of this.conns) {
      if (!conn.live) continue;
      if (conn.open && conn.ring.size > 0) {
        this.unanswered += conn.ring.size;
        conn.fail(ErrorCodes.drainTimeout);
      } else {
        conn.abort();
      }
    }
  }

  private checkDone(): void {
    if (this.finished || this.live > 0) return;
    if (!this.stopping) {
      const moreToOpen = this.nextToOpen < this.config.connections;
      if (moreToOpen) return;
      this.stop();
      return; // stop() calls checkDone again
    }
    this.finished = true;
    clearTimeout(this.drainTimer);
    this.progress[Progress.phase] = 3;
    this.resolve?.(this.result());
  }

  /** Reserve up to `k` messages of the `--messages` budget (all of `k` when unbounded). */
  private take(k: number): number {
    if (this.stopping || k <= 0) return 0;
    if (this.budgetLeft === Number.POSITIVE_INFINITY) return k;
    const n = Math.min(k, this.budgetLeft);
    this.budgetLeft -= n;
    return n;
  }

  /** Write `k` new messages on `conn` (one `write` per batch) and track them for verification. */
  private sendMessages(conn: LoadConnection, k: number): void {
    if (k <= 0) return;
    const now = performance.now();
    if (this.framePool !== undefined) this.sendPooledFrames(conn, k, now);
    else if (this.headerBytes === 0) this.sendRaw(conn, k, now);
    else this.sendMixedFrames(conn, k, now);
    conn.sentMessages += k;
    this.sent += k;
  }

  /** Small frames: k consecutive ready-made frames from a random index, as one slice. */
  private sendPooledFrames(conn: LoadConnection, k: number, now: number): void {
    const fp = this.framePool!;
    const starts = fp.starts;
    const ring = conn.ring;
    const socket = conn.socket!;
    const maxRun = fp.count >> 1;
    while (k > 0) {
      const n = k < maxRun ? k : maxRun;
      const first = this.pool.next() % (fp.count - n + 1);
      const start = starts[first]!;
      const end = starts[first + n]!;
      const base = conn.sentBytes - start;
      for (let j = 1; j <= n; j++) ring.push(base + starts[first + j]!, now);
      const slice = fp.bytes.subarray(start, end);
      conn.sentBytes += end - start;
      this.bytesSent += end - start;
      conn.sent.push(slice);
      socket.write(slice);
      k -= n;
    }
  }

  /** Raw: the payloads of a batch are one contiguous slice of the random pool. */
  private sendRaw(conn: LoadConnection, k: number, now: number): void {
    const pool = this.pool;
    const ring = conn.ring;
    const socket = conn.socket!;
    const limit = pool.bytes.length >> 1;
    while (k > 0) {
      const base = conn.sentBytes;
      let total = 0;
      let n = 0;
      while (n < k && n < MAX_BATCH) {
        const size = pool.pickSize();
        if (n > 0 && total + size > limit) break;
        total += size;
        ring.push(base + total, now);
        n++;
      }
      const from = pool.pickOffset(total);
      const slice = pool.bytes.subarray(from, from + total);
      conn.sentBytes = base + total;
      this.bytesSent += total;
      conn.sent.push(slice);
      socket.write(slice);
      k -= n;
    }
  }

  /** Framed with sizes beyond 64 KiB: small frames copied into one buffer per batch, large ones as header + slice. */
  private sendMixedFrames(conn: LoadConnection, k: number, now: number): void {
    const pool = this.pool;
    const header = this.headerBytes;
    const sizes = this.sizes;
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < k; i++) {
      const size = pool.pickSize();
      const wire = size + header;
      if (wire > COPY_LIMIT) {
        if (count > 0) {
          this.flushBatch(conn, count, bytes, now);
          count = 0;
          bytes = 0;
        }
        this.sendLarge(conn, size, now);
        continue;
      }
      if (count === MAX_BATCH || bytes + wire > COPY_LIMIT) {
        this.flushBatch(conn, count, bytes, now);
        count = 0;
        bytes = 0;
      }
      sizes[count++] = size;
      bytes += wire;
    }
    if (count > 0) this.flushBatch(conn, count, bytes, now);
  }

  /** Copy `count` small frames (sizes in `this.sizes`) into one buffer and write it. */
  private flushBatch(conn: LoadConnection, count: number, bytes: number, now: number): void {
    const pool = this.pool;
    const src = pool.bytes;
    const sizes = this.sizes;
    const ring = conn.ring;
    const out = Buffer.allocUnsafe(bytes);
    const base = conn.sentBytes;
    let o = 0;
    for (let i = 0; i < count; i++) {
      const size = sizes[i]!;
      out[o] = size >>> 24;
      out[o + 1] = (size >>> 16) & 0xff;
      out[o + 2] = (size >>> 8) & 0xff;
      out[o + 3] = size & 0xff;
      o += 4;
      const from = pool.pickOffset(size);
      src.copy(out, o, from, from + size);
      o += size;
      ring.push(base + o, now);
    }
    conn.sentBytes = base + bytes;
    this.bytesSent += bytes;
    conn.sent.push(out);
    conn.socket!.write(out);
  }

  /** One frame over 64 KiB: a 4-byte header and a slice of the payload block, corked together. */
  private sendLarge(conn: LoadConnection, size: number, now: number): void {
    const pool = this.pool;
    const from = pool.pickOffset(size);
    const payload = pool.bytes.subarray(from, from + size);
    const socket = conn.socket!;
    socket.cork();
    if (this.headerBytes === 4) {
      const head = Buffer.allocUnsafe(4);
      head.writeUInt32BE(size, 0);
      conn.sent.push(head);
      socket.write(head);
    }
    conn.sent.push(payload);
    socket.write(payload);
    socket.uncork();
    const wire = size + this.headerBytes;
    conn.sentBytes += wire;
    this.bytesSent += wire;
    conn.ring.push(conn.sentBytes, now);
  }

  private result(): EngineResult {
    return {
      windowMs: Math.max(0, this.stopAt - this.measureStart),
      openMs: this.openMs,
      doneMs: this.doneMs,
      opened: this.opened,
      failed: this.failed,
      closedEarly: this.closedEarly,
      shortDone: this.shortDone,
      sent: this.sent,
      received: this.received,
      receivedInWindow: this.receivedInWindow,
      answeredTotal: this.answeredTotal,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      bytesReceivedInWindow: this.bytesReceivedInWindow,
      skipped: this.skipped,
      unanswered: this.unanswered,
      reconnects: this.reconnects,
      resent: this.resent,
      errors: Object.fromEntries(this.errors),
      mismatches: this.mismatches,
      firstMismatch: this.firstMismatch,
      latency: encodeIntoCompressedBase64(this.latency),
      connectLatency: encodeIntoCompressedBase64(this.connectLatency),
    };
  }
}
