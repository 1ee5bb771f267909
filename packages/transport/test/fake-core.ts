import type { ResolvedPortOptions } from '../src/internal/options.js';
import { MemoryBudget } from '../src/internal/memory-budget.js';
import { OutPool } from '../src/internal/out-pool.js';
import type { PortCore } from '../src/internal/port-core.js';
import type { SendQueue } from '../src/internal/send-queue.js';

/**
 * A port without sockets or timers, for driving a connection or a send queue by hand: counters,
 * a real pooled buffer, and an `endOfTurn()` that does what the port does after each event-loop
 * turn (flush every queue that sent, recycle the pool). Errors reported to it are thrown.
 */
export function fakeCore(opts: ResolvedPortOptions): { core: PortCore; endOfTurn: () => void } {
  const dirty: SendQueue[] = [];
  const counters = { queued: 0 };
  const core: PortCore = {
    opts,
    pool: new OutPool(),
    bytesIn: 0,
    bytesOut: 0,
    messagesIn: 0,
    messagesOut: 0,
    writeCalls: 0,
    get queued() {
      return counters.queued;
    },
    set queued(n: number) {
      counters.queued = n;
    },
    queuedPeak: 0,
    connectionQueuedPeak: 0,
    // No connections to scan and checks run only when the test calls them.
    budget: new MemoryBudget(opts.maxBufferedBytes, opts.highWaterMark, counters, () => {}, () => 0, () => {}),
    markDirty(queue) {
      queue.dirty = true;
      dirty.push(queue);
    },
    connectionOpened() {},
    connectionClosed() {},
    reportError(e) {
      throw e;
    },
  };
  const endOfTurn = () => {
    for (const q of dirty.splice(0)) if (q.dirty) q.flush();
    core.pool.recycle();
  };
  return { core, endOfTurn };
}
