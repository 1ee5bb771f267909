import type { ResolvedPortOptions } from './options.js';
import type { OutPool } from './out-pool.js';
import type { ConnectionImpl } from './connection-impl.js';
import type { SendQueue } from './send-queue.js';
import type { MemoryBudget } from './memory-budget.js';

/** What a connection needs from its port: options, the shared pool, counters and callbacks. */
export interface PortCore {
  readonly opts: ResolvedPortOptions;
  readonly pool: OutPool;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  writeCalls: number;
  /** Bytes queued on all connections now. */
  queued: number;
  queuedPeak: number;
  connectionQueuedPeak: number;
  /** The port-wide memory budget: readers add their held input to `budget.input`. */
  readonly budget: MemoryBudget;
  /** Register a connection whose sends must be flushed at the end of this turn. */
  markDirty(queue: SendQueue): void;
  /** The connection finished opening (handshake/connect done). */
  connectionOpened(conn: ConnectionImpl): void;
  /** The socket closed: free the handle and count. Called once per connection. */
  connectionClosed(conn: ConnectionImpl): void;
  /** An exception from a callback that cannot close a connection (onClose, onAccept). */
  reportError(error: unknown): void;
}
