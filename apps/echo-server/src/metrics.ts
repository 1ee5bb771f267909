import type { JobPoolStats } from '@iocp/jobpool';
import type { PortStats } from '@iocp/transport';
import { registerHealthMetrics, registerMemoryBudgetMetrics } from '@iocp/cli-support';
import { Counter, Gauge, Registry } from 'prom-client';

/** Close reasons always exported (at 0 until seen), so dashboards see every series. */
const CLOSE_REASONS = [
  'peer-closed',
  'reset',
  'local',
  'idle-timeout',
  'write-timeout',
  'first-data-timeout',
  'heartbeat-timeout',
  'frame-too-long',
  'frame-corrupt',
  'send-queue-overflow',
  'shutdown',
  'rejected',
  'handler-error',
  'tls-error',
  'proxy-header',
  'memory-budget',
];

/** Refusal reasons always exported (at 0 until seen). */
const REFUSE_REASONS = ['max-connections', 'rate', 'per-ip', 'deny', 'allow', 'hook', 'shutdown', 'memory-budget'];

function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(value);
}

function setLabeled(counter: Counter<'reason'>, known: readonly string[], values: Record<string, number | undefined>): void {
  counter.reset();
  for (const reason of known) counter.inc({ reason }, 0);
  for (const [reason, value] of Object.entries(values)) {
    if (value !== undefined && value > 0) counter.inc({ reason }, value);
  }
}

/** Read `source()` at most once per scrape pass (prom-client runs every collect() synchronously). */
function perScrape<T>(source: () => T): () => T {
  let snapshot: T | undefined;
  return () => {
    if (snapshot === undefined) {
      snapshot = source();
      queueMicrotask(() => {
        snapshot = undefined;
      });
    }
    return snapshot;
  };
}

/** One series read from a stats snapshot: name, help text, and how to pick its value. */
type Series<S> = readonly [name: string, help: string, pick: (s: S) => number];

/** A gauge per series, set from `stats()` (one snapshot per scrape) when scraped. */
function registerGauges<S>(registry: Registry, stats: () => S, series: ReadonlyArray<Series<S>>): void {
  for (const [name, help, pick] of series) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(stats()));
      },
    });
  }
}

/** A counter per series (a running total in the stats), brought up to date when scraped. */
function registerCounters<S>(registry: Registry, stats: () => S, series: ReadonlyArray<Series<S>>): void {
  for (const [name, help, pick] of series) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        setCounter(this, pick(stats()));
      },
    });
  }
}

/** The job pool's series (`--jobs N > 0`): gauges for work in progress, counters for totals. */
function registerJobMetrics(registry: Registry, source: () => JobPoolStats): void {
  const stats = perScrape(source);
  const gauges: Array<Series<JobPoolStats>> = [
    ['iocp_jobs_queued', 'Jobs waiting for a worker thread.', (s) => s.queued],
    ['iocp_jobs_running', 'Jobs handed to worker threads and not finished.', (s) => s.running],
    ['iocp_jobs_in_flight', 'Jobs accepted and not yet answered (queued, running, or held for order).', (s) => s.inFlight],
    ['iocp_jobs_threads', 'Worker threads alive.', (s) => s.threads],
  ];
  registerGauges(registry, stats, gauges);
  const counters: Array<Series<JobPoolStats>> = [
    ['iocp_jobs_submitted_total', 'Jobs accepted since start.', (s) => s.submitted],
    ['iocp_jobs_completed_total', 'Job results sent back.', (s) => s.completed],
    ['iocp_jobs_failed_total', 'Jobs that failed (the connection was closed).', (s) => s.failed],
    ['iocp_jobs_cancelled_total', 'Jobs dropped because their connection closed.', (s) => s.cancelled],
    [
      'iocp_jobs_reordered_total',
      'Results that finished before an earlier job of their connection and were held to keep request order.',
      (s) => s.reordered,
    ],
  ];
  registerCounters(registry, stats, counters);
}

/**
 * A prom-client registry exporting a completion port's statistics — and, given `jobSource`,
 * the job pool's (`iocp_jobs_*`) — read on each scrape (no timers). Counters are monotonic
 * because the totals behind them are. With node:cluster the primary's `AggregatorRegistry`
 * sums these across workers (the peak gauges take the max).
 */
export function createPortMetricsRegistry(source: () => PortStats, jobSource?: () => JobPoolStats): Registry {
  // prom-client calls every collect() synchronously in one pass per scrape: take ONE snapshot
  // for that pass, so the series of a scrape agree with each other (accepted vs closed, ...).
  const stats = perScrape(source);
  const registry = new Registry();
  // Event-loop delay percentiles, heap, handles, RSS, fds, GC (prom-client's default collectors).
  registerHealthMetrics(registry);
  registerMemoryBudgetMetrics(registry, () => stats().memory);
  const registers = [registry];

  new Gauge({
    name: 'iocp_connections',
    help: 'Open connections.',
    registers,
    collect() {
      this.set(stats().connections.current);
    },
  });
  new Counter({
    name: 'iocp_connections_accepted_total',
    help: 'Connections accepted since start.',
    registers,
    collect() {
      setCounter(this, stats().connections.accepted);
    },
  });
  new Counter({
    name: 'iocp_connections_refused_total',
    help: 'Connections refused by admission control, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      setLabeled(this, REFUSE_REASONS, stats().connections.refused);
    },
  });
  new Counter({
    name: 'iocp_connections_closed_total',
    help: 'Connections closed, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      setLabeled(this, CLOSE_REASONS, stats().connections.closed);
    },
  });
  const totals: Array<Series<PortStats>> = [
    ['iocp_connections_proxied_total', 'Connections that started with a PROXY header naming a client (--proxy-protocol).', (s) => s.connections.proxied],
    ['iocp_proxy_health_checks_total', 'PROXY LOCAL connections (balancer health checks), closed without serving.', (s) => s.connections.proxyLocal],
    ['iocp_received_bytes_total', 'Bytes read from peers.', (s) => s.bytesIn],
    ['iocp_sent_bytes_total', 'Bytes written to peers.', (s) => s.bytesOut],
    ['iocp_received_messages_total', 'Frames (raw mode: chunks) received.', (s) => s.messagesIn],
    ['iocp_sent_messages_total', 'Frames (raw mode: chunks) sent.', (s) => s.messagesOut],
    ['iocp_write_calls_total', 'Socket writes; sends of one event-loop turn share one write (coalescing).', (s) => s.writeCalls],
  ];
  registerCounters(registry, stats, totals);
  new Gauge({
    name: 'iocp_send_queue_bytes',
    help: 'Bytes queued for sending over all connections.',
    registers,
    collect() {
      this.set(stats().queuedBytes);
    },
  });
  new Gauge({
    name: 'iocp_send_queue_peak_bytes',
    help: 'Highest total of queued send bytes seen.',
    aggregator: 'max',
    registers,
    collect() {
      this.set(stats().queuedBytesPeak);
    },
  });
  new Gauge({
    name: 'iocp_connection_send_queue_peak_bytes',
    help: 'Highest queued send bytes of a single connection seen (bounded by the send-queue cap).',
    aggregator: 'max',
    registers,
    collect() {
      this.set(stats().connectionQueuedBytesPeak);
    },
  });
  if (jobSource !== undefined) registerJobMetrics(registry, jobSource);
  return registry;
}
