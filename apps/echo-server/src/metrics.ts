import type { PortStats } from '@iocp/transport';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Close reasons always exported (at 0 until seen), so dashboards see every series. */
const CLOSE_REASONS = [
  'peer-closed',
  'reset',
  'local',
  'idle-timeout',
  'first-data-timeout',
  'heartbeat-timeout',
  'frame-too-long',
  'frame-corrupt',
  'send-queue-overflow',
  'shutdown',
  'rejected',
  'handler-error',
  'tls-error',
];

/** Refusal reasons always exported (at 0 until seen). */
const REFUSE_REASONS = ['max-connections', 'rate', 'per-ip', 'deny', 'allow', 'hook', 'shutdown'];

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

/**
 * A prom-client registry exporting a completion port's statistics, read on each scrape (no
 * timers). Counters are monotonic because the port's totals are. With node:cluster the
 * primary's `AggregatorRegistry` sums these across workers (the peak gauge takes the max).
 */
export function createPortMetricsRegistry(source: () => PortStats): Registry {
  // prom-client calls every collect() synchronously in one pass per scrape: take ONE snapshot
  // for that pass, so the series of a scrape agree with each other (accepted vs closed, ...).
  let snapshot: PortStats | undefined;
  const stats = (): PortStats => {
    if (snapshot === undefined) {
      snapshot = source();
      queueMicrotask(() => {
        snapshot = undefined;
      });
    }
    return snapshot;
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  const totals: Array<[string, string, (s: PortStats) => number]> = [
    ['iocp_received_bytes_total', 'Bytes read from peers.', (s) => s.bytesIn],
    ['iocp_sent_bytes_total', 'Bytes written to peers.', (s) => s.bytesOut],
    ['iocp_received_messages_total', 'Frames (raw mode: chunks) received.', (s) => s.messagesIn],
    ['iocp_sent_messages_total', 'Frames (raw mode: chunks) sent.', (s) => s.messagesOut],
    ['iocp_write_calls_total', 'Socket writes; sends of one event-loop turn share one write (coalescing).', (s) => s.writeCalls],
  ];
  for (const [name, help, pick] of totals) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        setCounter(this, pick(stats()));
      },
    });
  }
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
  return registry;
}
