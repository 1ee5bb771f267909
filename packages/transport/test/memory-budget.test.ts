import { describe, expect, it } from 'vitest';
import { MemoryBudgetError } from '../src/errors.js';
import { type BudgetMember, MIN_FLOOR, MemoryBudget, PRESSURE_MS, RESUME_COST, defaultMaxBufferedBytes } from '../src/internal/memory-budget.js';
import { resolvePortOptions } from '../src/internal/options.js';
import { SendQueue, type SendOwner } from '../src/internal/send-queue.js';
import { lengthPrefixed } from '@iocp/framing';
import type { Socket } from 'node:net';
import { fakeCore } from './fake-core.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** A connection as the budget sees it: input it holds, queued sends, pause and shed. */
class FakeMember implements BudgetMember {
  budgetPaused = false;
  socketBuffered = 0;
  shedWith: MemoryBudgetError | undefined = undefined;
  constructor(
    private readonly world: World,
    public heldInput: number,
    public queuedBytes: number,
  ) {
    world.budget.input += heldInput;
    world.counters.queued += queuedBytes;
  }
  setBudgetPaused(on: boolean): void {
    this.budgetPaused = on;
  }
  shed(error: MemoryBudgetError): void {
    this.shedWith = error;
    this.world.budget.input -= this.heldInput;
    this.world.counters.queued -= this.queuedBytes;
    this.heldInput = 0;
    this.queuedBytes = 0;
    this.world.members.delete(this);
  }
  /** Grow by `n` input bytes, as a read would, and tell the budget. */
  read(n: number): void {
    this.heldInput += n;
    this.world.budget.input += n;
    this.world.budget.changed();
  }
}

/** A budget over fake members, a hand-moved clock and hand-run checks. */
class World {
  readonly counters = { queued: 0 };
  readonly members = new Set<FakeMember>();
  readonly scheduled: (() => void)[] = [];
  clock = 0;
  readonly budget: MemoryBudget;
  constructor(max: number, highWaterMark = 64 * KIB) {
    this.budget = new MemoryBudget(
      max,
      highWaterMark,
      this.counters,
      (visit) => {
        for (const m of this.members) visit(m);
      },
      () => this.clock,
      (fn) => this.scheduled.push(fn),
    );
  }
  add(input: number, queued = 0): FakeMember {
    const m = new FakeMember(this, input, queued);
    this.members.add(m);
    this.budget.changed();
    return m;
  }
  /** Run the checks `changed()` scheduled (what setImmediate would do). */
  turn(): number {
    const list = this.scheduled.splice(0);
    for (const fn of list) fn();
    return list.length;
  }
}

describe('MemoryBudget marks', () => {
  it('derives soft (3/4), low (1/2) and the floor from the budget and the high watermark', () => {
    const w = new World(256 * MIB, 16 * KIB);
    expect(w.budget.soft).toBe(192 * MIB);
    expect(w.budget.low).toBe(128 * MIB);
    expect(w.budget.floor).toBe(MIN_FLOOR);
    expect(new World(256 * MIB, 1 * MIB).budget.floor).toBe(1 * MIB);
  });

  it('schedules nothing below the soft mark and at most one check per turn above it', () => {
    const w = new World(100 * MIB);
    const a = w.add(10 * MIB);
    expect(w.scheduled.length).toBe(0);
    a.read(70 * MIB); // 80 MiB > soft 75 MiB
    a.read(1 * MIB);
    a.read(1 * MIB);
    expect(w.scheduled.length).toBe(1);
    expect(w.budget.pressure).toBe(false); // nothing scanned until the check runs
    w.turn();
    expect(w.budget.pressure).toBe(true);
    expect(w.budget.stats().pressureEvents).toBe(1);
  });
});

describe('MemoryBudget pressure (soft mark)', () => {
  it('pauses every connection holding more partial input than the floor, none below it, and resumes them below the low mark', () => {
    const w = new World(100 * MIB);
    const big = [w.add(30 * MIB), w.add(25 * MIB), w.add(21 * MIB)];
    const small = w.add(32 * KIB); // below the 64 KiB floor
    const sender = w.add(0, 8 * MIB); // queued sends only: reading it is not what grows memory
    w.turn();
    expect(w.budget.pressure).toBe(true);
    for (const m of big) expect(m.budgetPaused).toBe(true);
    expect(small.budgetPaused).toBe(false);
    expect(sender.budgetPaused).toBe(false);
    expect(w.budget.stats()).toMatchObject({ pausedNow: 3, pauses: 3, sheds: 0 });

    // Between low and soft: still under pressure (hysteresis), nothing resumed.
    big[0]!.shed(new MemoryBudgetError('test'));
    w.members.delete(big[0]!);
    w.budget.changed();
    w.turn();
    expect(w.budget.total).toBeGreaterThan(w.budget.low);
    expect(w.budget.pressure).toBe(true);
    expect(big[1]!.budgetPaused).toBe(true);

    // The frames complete (input consumed): below low, everyone reads again.
    big[1]!.read(-25 * MIB);
    w.budget.changed();
    expect(w.turn()).toBe(1);
    expect(w.budget.pressure).toBe(false);
    expect(big[1]!.budgetPaused).toBe(false);
    expect(big[2]!.budgetPaused).toBe(false);
    expect(w.budget.stats().pausedNow).toBe(0);
  });

  it('pauses a connection that grows past the floor while the pressure lasts (watchdog sweep)', () => {
    const w = new World(100 * MIB);
    w.add(80 * MIB);
    w.turn();
    const late = w.add(16 * KIB);
    late.heldInput += 1 * MIB; // grew without a mark being crossed
    w.budget.input += 1 * MIB;
    w.budget.sweep();
    expect(late.budgetPaused).toBe(true);
  });
});

describe('MemoryBudget between checks', () => {
  it('a read that finds the port above the soft mark pauses its own connection at once (O(1)), below the floor it does not', () => {
    const w = new World(100 * MIB);
    w.add(70 * MIB);
    const reader = w.add(5 * MIB);
    expect(w.budget.overSoft(reader.heldInput)).toBe(true); // 75 MiB >= soft, before any check ran
    expect(w.budget.overSoft(32 * KIB)).toBe(false);
    w.budget.pause(reader);
    w.budget.pause(reader); // once
    expect(reader.budgetPaused).toBe(true);
    expect(w.budget.stats().pauses).toBe(1);
    // The frame completes before the check: the check finds the total below soft and resumes it.
    reader.read(-5 * MIB);
    w.turn();
    expect(w.budget.pressure).toBe(false);
    expect(reader.budgetPaused).toBe(false);
  });

  it('counts what paused sockets buffered behind the pause, and resumes at most (soft - total) / RESUME_COST at a time', () => {
    const w = new World(100 * MIB);
    const paused = Array.from({ length: 800 }, () => w.add(96 * KIB)); // 75 MiB
    for (const m of paused) m.socketBuffered = 16 * KIB;
    w.turn();
    expect(paused.every((m) => m.budgetPaused)).toBe(true);
    w.budget.sweep(); // the next check counts the stream buffers behind the pauses
    expect(w.budget.stats().pausedSocketBytes).toBe(800 * 16 * KIB);
    // Most frames complete: 20 holders are left, far below the low mark.
    for (const m of paused.slice(20)) {
      m.read(-m.heldInput);
      m.socketBuffered = 0;
    }
    w.budget.sweep();
    const room = Math.floor((w.budget.soft - (20 * 96 * KIB + 20 * 16 * KIB)) / RESUME_COST);
    const resumed = paused.filter((m) => !m.budgetPaused).length;
    expect(resumed).toBeLessThanOrEqual(room + 1);
    expect(resumed).toBeGreaterThan(0);
    expect(w.budget.pressure).toBe(false);
    // The rest follow at the next checks.
    for (let i = 0; i < 5 && paused.some((m) => m.budgetPaused); i++) w.budget.sweep();
    expect(paused.some((m) => m.budgetPaused)).toBe(false);
  });
});

describe('MemoryBudget shedding (hard mark)', () => {
  it('closes the largest holders (input + queued) first until below the low mark, never one below the floor', () => {
    const w = new World(100 * MIB);
    const a = w.add(20 * MIB, 0);
    const b = w.add(5 * MIB, 30 * MIB); // biggest: 35 MiB, mostly queued sends
    const c = w.add(25 * MIB, 0);
    const d = w.add(10 * MIB, 0);
    const smalls = Array.from({ length: 200 }, () => w.add(40 * KIB, 20 * KIB)); // 60 KiB each, under the floor
    expect(w.budget.total).toBeGreaterThanOrEqual(100 * MIB); // 90 MiB + 200 x 60 KiB
    w.turn();
    // 101.7 MiB - 35 (b) = 66.7 MiB, still >= low (50 MiB); - 25 (c) = 41.7 MiB: stop.
    expect(b.shedWith?.code).toBe('IOCP_ERR_MEMORY_BUDGET');
    expect(c.shedWith).toBeDefined();
    expect(a.shedWith).toBeUndefined();
    expect(d.shedWith).toBeUndefined();
    for (const s of smalls) expect(s.shedWith).toBeUndefined();
    expect(w.budget.total).toBeLessThan(w.budget.low);
    expect(w.budget.pressure).toBe(false);
    const st = w.budget.stats();
    expect(st.sheds).toBe(2);
    expect(st.shedBytes).toBe(60 * MIB);
    expect(st.bufferedBytesPeak).toBeGreaterThanOrEqual(100 * MIB);
  });

  it('keeps connections below the floor even when that leaves the port above the mark', () => {
    const w = new World(1 * MIB);
    const smalls = Array.from({ length: 40 }, () => w.add(30 * KIB)); // 1.17 MiB in all, each below the floor
    w.turn();
    expect(w.budget.pressure).toBe(true);
    for (const s of smalls) expect(s.shedWith).toBeUndefined();
    expect(w.budget.stats().sheds).toBe(0);
  });

  it('sheds the largest paused holders when the pressure lasts PRESSURE_MS, then lets the rest read again', () => {
    const w = new World(100 * MIB);
    const a = w.add(40 * MIB);
    const b = w.add(36 * MIB);
    w.turn();
    expect(a.budgetPaused && b.budgetPaused).toBe(true);
    w.clock += PRESSURE_MS - 1;
    w.budget.sweep();
    expect(a.shedWith).toBeUndefined();
    w.clock += 1;
    w.budget.sweep();
    expect(a.shedWith).toBeDefined();
    expect(b.shedWith).toBeUndefined();
    expect(w.budget.pressure).toBe(false);
    expect(b.budgetPaused).toBe(false);
  });
});

describe('MemoryBudget defaults and options', () => {
  it('defaults to a quarter of the memory the process may use, at least 64 MiB', async () => {
    const { totalmem } = await import('node:os');
    const limit = process.constrainedMemory?.() ?? 0;
    const mem = limit > 0 && limit < totalmem() ? limit : totalmem();
    expect(defaultMaxBufferedBytes()).toBe(Math.max(64 * MIB, Math.floor(mem / 4)));
    expect(resolvePortOptions(undefined).maxBufferedBytes).toBe(defaultMaxBufferedBytes());
  });

  it('validates limits.maxBufferedBytes (Infinity turns the budget off)', () => {
    expect(resolvePortOptions({ limits: { maxBufferedBytes: 1 * MIB } }).maxBufferedBytes).toBe(1 * MIB);
    expect(resolvePortOptions({ limits: { maxBufferedBytes: Number.POSITIVE_INFINITY } }).maxBufferedBytes).toBe(Number.POSITIVE_INFINITY);
    expect(() => resolvePortOptions({ limits: { maxBufferedBytes: 0 } })).toThrow(/limits.maxBufferedBytes/);
    expect(() => resolvePortOptions({ limits: { maxBufferedBytes: 1.5 } })).toThrow(/integer/);
  });

  it('with Infinity no mark is ever crossed', () => {
    const w = new World(Number.POSITIVE_INFINITY);
    w.add(Number.MAX_SAFE_INTEGER / 4);
    expect(w.scheduled.length).toBe(0);
  });
});

describe('send queues count into the budget', () => {
  it('adds queued bytes as they are sent and tells the budget (one scheduled check above the soft mark)', () => {
    const opts = resolvePortOptions({ limits: { maxBufferedBytes: 256 * KIB }, sendQueue: { maxBytes: 1 * MIB } });
    const { core } = fakeCore(opts);
    const scheduled: (() => void)[] = [];
    // A budget over the fake core's counters whose checks are kept for the test to see.
    const budget = new MemoryBudget(opts.maxBufferedBytes, opts.highWaterMark, core, () => {}, () => 0, (fn) => scheduled.push(fn));
    Object.defineProperty(core, 'budget', { value: budget });
    // A peer that reads nothing: the socket keeps every byte written to it.
    let held = 0;
    const socket = {
      get writableLength() {
        return held;
      },
      destroyed: false,
      write: (b: Buffer) => {
        held += b.length;
        return false;
      },
      cork() {},
      uncork() {},
    } as unknown as Socket;
    const owner: SendOwner = { socket, maxBytes: 1 * MIB, codecName: 'len', wrote() {}, drained() {}, overflowed() {}, gone: false };
    const q = new SendQueue(owner, core, lengthPrefixed().encoder);
    q.sendRaw(Buffer.alloc(100 * KIB));
    expect(budget.total).toBe(100 * KIB);
    expect(scheduled.length).toBe(0);
    q.sendRaw(Buffer.alloc(100 * KIB)); // 200 KiB >= soft 192 KiB
    expect(scheduled.length).toBe(1);
    q.drop();
    expect(budget.total).toBe(0);
  });
});
