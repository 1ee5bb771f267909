import type { PortStats } from '@iocp/transport';
import { describe, expect, it } from 'vitest';
import { createPortMetricsRegistry } from '../src/metrics.js';
import { metricValue } from './support/wire.js';

function stats(over: Partial<PortStats['connections']> = {}, rest: Partial<PortStats> = {}): PortStats {
  return {
    connections: { current: 3, accepted: 10, connected: 0, refused: { rate: 2 }, closed: { 'peer-closed': 6, 'frame-too-long': 1 }, ...over },
    bytesIn: 1000,
    bytesOut: 900,
    messagesIn: 50,
    messagesOut: 45,
    queuedBytes: 128,
    queuedBytesPeak: 4096,
    writeCalls: 20,
    connectionQueuedBytesPeak: 2048,
    memory: {
      bufferedBytes: 4096, inputBytes: 3968, queuedBytes: 128, pausedSocketBytes: 0, bufferedBytesPeak: 9000,
      maxBufferedBytes: 1 << 28, softMark: 3 << 26, lowMark: 1 << 27, floor: 65536, pressure: false,
      pausedNow: 0, pressureEvents: 1, pauses: 5, sheds: 2, shedBytes: 777,
    },
    ...rest,
  } as PortStats;
}

describe('createPortMetricsRegistry', () => {
  it('exports the port statistics as Prometheus series', async () => {
    const text = await createPortMetricsRegistry(() => stats()).metrics();
    expect(metricValue(text, 'iocp_connections')).toBe(3);
    expect(metricValue(text, 'iocp_connections_accepted_total')).toBe(10);
    expect(metricValue(text, 'iocp_connections_refused_total{reason="rate"}')).toBe(2);
    expect(metricValue(text, 'iocp_connections_refused_total{reason="per-ip"}')).toBe(0);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="peer-closed"}')).toBe(6);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="frame-too-long"}')).toBe(1);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="idle-timeout"}')).toBe(0);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="write-timeout"}')).toBe(0);
    expect(metricValue(text, 'iocp_received_bytes_total')).toBe(1000);
    expect(metricValue(text, 'iocp_sent_bytes_total')).toBe(900);
    expect(metricValue(text, 'iocp_received_messages_total')).toBe(50);
    expect(metricValue(text, 'iocp_sent_messages_total')).toBe(45);
    expect(metricValue(text, 'iocp_send_queue_bytes')).toBe(128);
    expect(metricValue(text, 'iocp_send_queue_peak_bytes')).toBe(4096);
    expect(metricValue(text, 'iocp_write_calls_total')).toBe(20);
    expect(metricValue(text, 'iocp_connection_send_queue_peak_bytes')).toBe(2048);
    expect(text).toContain('# TYPE iocp_connections_closed_total counter');
    expect(text).toContain('# TYPE iocp_connections gauge');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    // event-loop health, heap and handles (prom-client's default collectors)
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).toMatch(/^nodejs_active_handles_total /m);
    // the memory budget
    expect(metricValue(text, 'iocp_memory_buffered_bytes')).toBe(4096);
    expect(metricValue(text, 'iocp_memory_budget_bytes')).toBe(1 << 28);
    expect(metricValue(text, 'iocp_memory_soft_mark_bytes')).toBe(3 << 26);
    expect(metricValue(text, 'iocp_memory_sheds_total')).toBe(2);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="memory-budget"}')).toBe(0);
    expect(metricValue(text, 'iocp_connections_refused_total{reason="memory-budget"}')).toBe(0);
  });

  it('follows the port between scrapes and takes one snapshot per scrape', async () => {
    let calls = 0;
    let accepted = 1;
    const registry = createPortMetricsRegistry(() => {
      calls++;
      return stats({ accepted, closed: {}, refused: {} });
    });
    expect(metricValue(await registry.metrics(), 'iocp_connections_accepted_total')).toBe(1);
    expect(calls).toBe(1);
    accepted = 7;
    const text = await registry.metrics();
    expect(metricValue(text, 'iocp_connections_accepted_total')).toBe(7);
    expect(metricValue(text, 'iocp_connections_closed_total{reason="peer-closed"}')).toBe(0);
    expect(calls).toBe(2);
  });

  it('reports reasons it does not know yet instead of dropping them', async () => {
    const text = await createPortMetricsRegistry(() => stats({ closed: { 'brand-new': 4 } as never })).metrics();
    expect(metricValue(text, 'iocp_connections_closed_total{reason="brand-new"}')).toBe(4);
  });

  it('adds the job pool series with --jobs (and only then)', async () => {
    const jobStats = {
      threads: 2, keys: 3, pausedKeys: 0, inFlight: 7, queued: 4, running: 2, waiting: 1,
      submitted: 100, completed: 90, failed: 1, cancelled: 2, reordered: 13, workerErrors: 0,
      latencyUs: { count: 91, min: 1, mean: 2, p50: 2, p90: 3, p99: 4, max: 5 },
    };
    const text = await createPortMetricsRegistry(() => stats(), () => jobStats).metrics();
    expect(metricValue(text, 'iocp_jobs_queued')).toBe(4);
    expect(metricValue(text, 'iocp_jobs_running')).toBe(2);
    expect(metricValue(text, 'iocp_jobs_in_flight')).toBe(7);
    expect(metricValue(text, 'iocp_jobs_threads')).toBe(2);
    expect(metricValue(text, 'iocp_jobs_submitted_total')).toBe(100);
    expect(metricValue(text, 'iocp_jobs_completed_total')).toBe(90);
    expect(metricValue(text, 'iocp_jobs_failed_total')).toBe(1);
    expect(metricValue(text, 'iocp_jobs_cancelled_total')).toBe(2);
    expect(metricValue(text, 'iocp_jobs_reordered_total')).toBe(13);
    expect(text).toContain('# TYPE iocp_jobs_reordered_total counter');
    expect(text).toContain('# TYPE iocp_jobs_queued gauge');
    const without = await createPortMetricsRegistry(() => stats()).metrics();
    expect(without).not.toContain('iocp_jobs_');
  });
});
