import { constrainedMemory } from 'node:process';
import { totalmem } from 'node:os';
import { MemoryBudgetError } from '../errors.js';

/** Smallest default budget, whatever the machine: 64 MiB. */
const MIN_DEFAULT = 64 * 1024 * 1024;
/** The soft mark, as a fraction of the budget: stop accepting, pause the big readers. */
export const SOFT_FRACTION = 0.75;
/** The low mark, as a fraction of the budget: pressure ends below it (hysteresis). */
export const LOW_FRACTION = 0.5;
/** Smallest floor: a connection holding less is never paused or closed by the budget. */
export const MIN_FLOOR = 64 * 1024;
/**
 * Pressure that lasts this long (the total stayed above the low mark since it crossed the soft
 * mark) sheds the largest holders down to the low mark, as reaching the hard mark does: paused
 * peers cannot hold the port in a refuse-everything state for ever.
 */
export const PRESSURE_MS = 5000;
/**
 * What a resumed connection may read before its next check finds it: one socket chunk (64 KiB)
 * plus the stream buffer Node fills behind a pause. Resuming is paced by it: at most
 * `(soft − total) / RESUME_COST` paused connections read again at a time, so thousands of them
 * resuming at once cannot overshoot the soft mark by thousands of chunks.
 */
export const RESUME_COST = 128 * 1024;

/**
 * The default `limits.maxBufferedBytes`: a quarter of the memory this process may use — the
 * cgroup limit (`process.constrainedMemory()`) when there is one below the machine's memory,
 * else `os.totalmem()` — and at least 64 MiB. Per port: several ports or processes on one
 * machine each get this much, so set it explicitly there.
 */
export function defaultMaxBufferedBytes(): number {
  const total = totalmem();
  const limit = typeof constrainedMemory === 'function' ? (constrainedMemory() ?? 0) : 0;
  const mem = limit > 0 && limit < total ? limit : total;
  return Math.max(MIN_DEFAULT, Math.floor(mem / 4));
}

/**
 * What the budget needs of a connection. A member's held bytes are its accounted partial input
 * plus its queued sends; the budget pauses reading from it or sheds it, nothing else.
 */
export interface BudgetMember {
  /** Input bytes the reader holds (partial frame, unread chunks), as accounted in `input`. */
  readonly heldInput: number;
  /** Bytes queued for sending (part of the counters' `queued`). */
  readonly queuedBytes: number;
  /**
   * Bytes the socket read but did not hand on, because reading is paused (Node fills the
   * stream's buffer up to its high-water mark behind a pause). Read at checks only.
   */
  readonly socketBuffered: number;
  /** Reading is paused by the budget. */
  readonly budgetPaused: boolean;
  /** Pause (true) or resume (false) reading for the budget; the app's own pause is separate. */
  setBudgetPaused(on: boolean): void;
  /**
   * Close now with reason `memory-budget`: drop the queued sends and the held input, and take
   * both out of the accounting before returning.
   */
  shed(error: MemoryBudgetError): void;
}

/** The counter the send queues keep: bytes queued over all connections. */
export interface QueuedCounter {
  readonly queued: number;
}

/** Budget figures for `port.stats().memory`. */
export interface BudgetStats {
  bufferedBytes: number;
  inputBytes: number;
  queuedBytes: number;
  pausedSocketBytes: number;
  bufferedBytesPeak: number;
  maxBufferedBytes: number;
  softMark: number;
  lowMark: number;
  floor: number;
  pressure: boolean;
  pausedNow: number;
  pressureEvents: number;
  pauses: number;
  sheds: number;
  shedBytes: number;
}

/**
 * The port-wide memory budget: one bound on the bytes peers make the port hold — partial frames
 * in the readers plus queued sends — over all connections, with Redis `maxmemory-clients`'
 * policy (the biggest holders go first) and HAProxy's fixed total in mind.
 *
 * ```
 *  total ≥ soft (¾)  ─► pressure: refuse new peers ('memory-budget'), pause reading from every
 *                       connection whose partial input is above the floor (a connection whose
 *                       own read finds the port there pauses itself at once)
 *  total ≥ hard (max) ─► shed: close the largest holders (input + queued) until total < low
 *  pressure ≥ PRESSURE_MS ─► shed the same way (paused peers cannot hold the port for ever)
 *  total < low (½)   ─► pressure ends: resume the paused, accept again
 *  below the floor   ─► never paused, never shed
 * ```
 *
 * Accounting is O(1) per read and per send: the connections add the change of their own held
 * bytes to `input` (the send queues keep `queued`) and call {@link changed}, which compares the
 * total with the marks and schedules at most one {@link check} per turn. Only a check scans the
 * connections: when a mark is crossed and at the watchdog sweep while under pressure.
 */
export class MemoryBudget {
  /** Partial-frame and unread input bytes held by every reader of the port. */
  input = 0;
  /** Bytes held in the stream buffers of budget-paused sockets, as of the last check. */
  behindPause = 0;
  readonly max: number;
  readonly soft: number;
  readonly low: number;
  readonly floor: number;
  /** Above the soft mark and not yet back below the low mark: accepts are refused. */
  pressure = false;
  peak = 0;
  pressureEvents = 0;
  pauses = 0;
  sheds = 0;
  shedBytes = 0;

  private since = 0;
  private scheduled = false;
  private paused: BudgetMember[] = [];
  private readonly checkBound = () => this.check();

  constructor(
    max: number,
    highWaterMark: number,
    private readonly counters: QueuedCounter,
    private readonly members: (visit: (m: BudgetMember) => void) => void,
    private readonly now: () => number,
    private readonly schedule: (fn: () => void) => void = setImmediate,
  ) {
    this.max = max;
    this.soft = Math.floor(max * SOFT_FRACTION);
    this.low = Math.floor(max * LOW_FRACTION);
    this.floor = Math.max(MIN_FLOOR, highWaterMark);
  }

  /** Input, queued and paused-socket bytes now. */
  get total(): number {
    return this.input + this.counters.queued + this.behindPause;
  }

  /**
   * Held bytes changed: O(1). Schedules a check when a mark is crossed — the soft or hard mark
   * going up, the low mark going down under pressure.
   */
  changed(): void {
    if (this.scheduled) return;
    const t = this.input + this.counters.queued + this.behindPause;
    if (t > this.peak) this.peak = t;
    if (this.pressure ? t < this.low || t >= this.max : t >= this.soft) {
      this.scheduled = true;
      this.schedule(this.checkBound);
    }
  }

  /**
   * A read left a member holding `held` input bytes: true when it should stop reading at once —
   * the port is at or above the soft mark and this member holds more than the floor. O(1); the
   * member then calls {@link pause}. Without this, every connection could read another chunk
   * (up to 64 KiB) in the turn before the check runs — thousands of them after a resume.
   */
  overSoft(held: number): boolean {
    return held >= this.floor && this.input + this.counters.queued + this.behindPause >= this.soft;
  }

  /** Stop reading from `m` until the pressure ends. */
  pause(m: BudgetMember): void {
    if (m.budgetPaused) return;
    m.setBudgetPaused(true);
    this.paused.push(m);
    this.pauses++;
  }

  /** Watchdog sweep: under pressure, look again (new big readers, pressure that lasts). */
  sweep(): void {
    if (this.pressure || this.paused.length > 0 || this.total >= this.soft) this.check();
  }

  /** Compare with the marks and act: pause, shed, or end the pressure. Scans the connections. */
  check(): void {
    this.scheduled = false;
    this.countBehindPause();
    const t = this.total;
    if (t > this.peak) this.peak = t;
    if (!this.pressure) {
      if (t < this.soft) {
        // Members that paused themselves on a read before this check: the total fell back.
        if (this.paused.length > 0) this.release();
        return;
      }
      this.pressure = true;
      this.since = this.now();
      this.pressureEvents++;
    }
    if (t >= this.max) {
      this.shed(`the port holds ${t} bytes, at limits.maxBufferedBytes ${this.max}`);
    } else if (t >= this.low && this.now() - this.since >= PRESSURE_MS) {
      this.shed(`the port has held more than ${this.low} bytes for ${PRESSURE_MS} ms`);
    }
    if (this.total < this.low) {
      this.release();
      return;
    }
    this.pauseBig();
  }

  /** Sum what budget-paused sockets buffered behind the pause (O(paused)). */
  private countBehindPause(): void {
    let n = 0;
    for (const m of this.paused) if (m.budgetPaused) n += m.socketBuffered;
    this.behindPause = n;
  }

  /** Members paused by the budget now. */
  get pausedNow(): number {
    let n = 0;
    for (const m of this.paused) if (m.budgetPaused) n++;
    return n;
  }

  stats(): BudgetStats {
    const queued = this.counters.queued;
    return {
      bufferedBytes: this.input + queued + this.behindPause,
      inputBytes: this.input,
      queuedBytes: queued,
      pausedSocketBytes: this.behindPause,
      bufferedBytesPeak: this.peak,
      maxBufferedBytes: this.max,
      softMark: this.soft,
      lowMark: this.low,
      floor: this.floor,
      pressure: this.pressure,
      pausedNow: this.pausedNow,
      pressureEvents: this.pressureEvents,
      pauses: this.pauses,
      sheds: this.sheds,
      shedBytes: this.shedBytes,
    };
  }

  /** Pause reading from every member whose partial input is above the floor. */
  private pauseBig(): void {
    const floor = this.floor;
    this.members((m) => {
      if (m.heldInput >= floor) this.pause(m);
    });
  }

  /** Close the largest holders (input + queued, never one below the floor) until below the low mark. */
  private shed(why: string): void {
    const floor = this.floor;
    const big: BudgetMember[] = [];
    const size: number[] = [];
    this.members((m) => {
      const held = m.heldInput + m.queuedBytes;
      if (held >= floor) {
        big.push(m);
        size.push(held);
      }
    });
    const order = big.map((_, i) => i).sort((a, b) => size[b]! - size[a]!);
    for (const i of order) {
      if (this.total < this.low) break;
      const before = this.total;
      big[i]!.shed(new MemoryBudgetError(`closed to keep the port within its memory budget: ${why}; this connection held ${size[i]} bytes`));
      this.sheds++;
      this.shedBytes += before - this.total;
    }
  }

  /**
   * Pressure is over: resume the members the budget paused, as many as the room below the soft
   * mark allows at {@link RESUME_COST} each (the rest at the next checks, oldest first).
   */
  private release(): void {
    this.pressure = false;
    const list = this.paused;
    let room = Math.floor((this.soft - this.total) / RESUME_COST);
    let i = 0;
    for (; i < list.length && room > 0; i++) {
      const m = list[i]!;
      if (!m.budgetPaused) continue;
      this.behindPause -= m.socketBuffered;
      m.setBudgetPaused(false);
      room--;
    }
    this.paused = list.slice(i);
    if (this.behindPause < 0) this.behindPause = 0;
  }
}
