import type { MemoryStats } from '@iocp/transport';
import { Counter, Gauge, type Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Process health on a registry: prom-client's default collectors — event-loop delay percentiles
 * (`nodejs_eventloop_lag_p50_seconds`, `_p90_`, `_p99_`, `_max_`; measured with
 * `perf_hooks.monitorEventLoopDelay`), heap (`nodejs_heap_size_used_bytes`, per space), active
 * handles (`nodejs_active_handles_total`), GC, RSS (`process_resident_memory_bytes`), open
 * file descriptors and CPU. Every server app calls this once on the registry it serves.
 */
export function registerHealthMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}

/** One budget series: name, help, kind, how to read it, and the cluster aggregation. */
type BudgetSeries = readonly [name: string, help: string, kind: 'gauge' | 'counter', pick: (m: MemoryStats) => number, aggregator?: 'sum' | 'max'];

const BUDGET_SERIES: readonly BudgetSeries[] = [
  ['iocp_memory_buffered_bytes', 'Bytes held for peers now: partial frames and unread input plus queued sends (what the memory budget counts).', 'gauge', (m) => m.bufferedBytes],
  ['iocp_memory_input_bytes', 'Partial frames and unread input held by the readers.', 'gauge', (m) => m.inputBytes],
  ['iocp_memory_paused_socket_bytes', 'Bytes buffered behind the memory budget\'s pauses.', 'gauge', (m) => m.pausedSocketBytes],
  ['iocp_memory_buffered_peak_bytes', 'Highest buffered bytes seen.', 'gauge', (m) => m.bufferedBytesPeak, 'max'],
  ['iocp_memory_budget_bytes', 'The memory budget (limits.maxBufferedBytes, the hard mark); summed over cluster workers.', 'gauge', (m) => m.maxBufferedBytes],
  ['iocp_memory_soft_mark_bytes', 'Pressure starts here (3/4 of the budget): new peers refused, big readers paused.', 'gauge', (m) => m.softMark],
  ['iocp_memory_low_mark_bytes', 'Pressure ends below this (1/2 of the budget).', 'gauge', (m) => m.lowMark],
  ['iocp_memory_pressure', '1 while under memory pressure (per process; summed: processes under pressure).', 'gauge', (m) => (m.pressure ? 1 : 0)],
  ['iocp_memory_paused_connections', 'Connections whose reading the memory budget has paused now.', 'gauge', (m) => m.pausedNow],
  ['iocp_memory_pressure_events_total', 'Times the memory pressure started.', 'counter', (m) => m.pressureEvents],
  ['iocp_memory_pauses_total', 'Connections paused by the memory budget.', 'counter', (m) => m.pauses],
  ['iocp_memory_sheds_total', 'Connections closed by the memory budget (reason memory-budget).', 'counter', (m) => m.sheds],
  ['iocp_memory_shed_bytes_total', 'Bytes freed by the memory budget\'s closes.', 'counter', (m) => m.shedBytes],
];

/**
 * The transport's memory budget (`port.stats().memory`) as `iocp_memory_*` series: the total
 * and its parts, the marks, pressure, and the pauses and sheds (counters). `source` is read
 * once per series per scrape — pass a per-scrape snapshot; it may return `undefined` (no port
 * yet), and the series then stay at 0.
 */
export function registerMemoryBudgetMetrics(registry: Registry, source: () => MemoryStats | undefined): void {
  for (const [name, help, kind, pick, aggregator] of BUDGET_SERIES) {
    if (kind === 'gauge') {
      new Gauge({
        name,
        help,
        registers: [registry],
        ...(aggregator !== undefined ? { aggregator } : {}),
        collect() {
          const m = source();
          this.set(m === undefined ? 0 : pick(m));
        },
      });
    } else {
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const m = source();
          this.reset();
          this.inc(m === undefined ? 0 : pick(m));
        },
      });
    }
  }
}
