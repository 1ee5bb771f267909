import type { MemoryStats } from '@iocp/transport';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerHealthMetrics, registerMemoryBudgetMetrics } from '../src/index.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const memory: MemoryStats = {
  bufferedBytes: 300,
  inputBytes: 200,
  queuedBytes: 90,
  pausedSocketBytes: 10,
  bufferedBytesPeak: 500,
  maxBufferedBytes: 1000,
  softMark: 750,
  lowMark: 500,
  floor: 65536,
  pressure: true,
  pausedNow: 4,
  pressureEvents: 2,
  pauses: 9,
  sheds: 3,
  shedBytes: 1234,
};

describe('health and memory-budget metrics', () => {
  it('exports event-loop delay percentiles, heap and handles (prom-client default collectors)', async () => {
    const registry = new Registry();
    registerHealthMetrics(registry);
    // The event-loop delay histogram needs a few turns to have samples.
    await new Promise((r) => setTimeout(r, 50));
    const text = await registry.metrics();
    for (const name of [
      'nodejs_eventloop_lag_p50_seconds',
      'nodejs_eventloop_lag_p90_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
      'process_resident_memory_bytes',
    ]) {
      expect(value(text, name), name).toBeGreaterThanOrEqual(0);
    }
  });

  it('exports the budget: total, parts, marks, pressure, pauses and sheds; 0 without a port', async () => {
    const registry = new Registry();
    const port: { memory: MemoryStats | undefined } = { memory: undefined };
    registerMemoryBudgetMetrics(registry, () => port.memory);
    expect(value(await registry.metrics(), 'iocp_memory_budget_bytes')).toBe(0);
    port.memory = memory;
    const text = await registry.metrics();
    expect(value(text, 'iocp_memory_buffered_bytes')).toBe(300);
    expect(value(text, 'iocp_memory_input_bytes')).toBe(200);
    expect(value(text, 'iocp_memory_paused_socket_bytes')).toBe(10);
    expect(value(text, 'iocp_memory_buffered_peak_bytes')).toBe(500);
    expect(value(text, 'iocp_memory_budget_bytes')).toBe(1000);
    expect(value(text, 'iocp_memory_soft_mark_bytes')).toBe(750);
    expect(value(text, 'iocp_memory_low_mark_bytes')).toBe(500);
    expect(value(text, 'iocp_memory_pressure')).toBe(1);
    expect(value(text, 'iocp_memory_paused_connections')).toBe(4);
    expect(value(text, 'iocp_memory_pressure_events_total')).toBe(2);
    expect(value(text, 'iocp_memory_pauses_total')).toBe(9);
    expect(value(text, 'iocp_memory_sheds_total')).toBe(3);
    expect(value(text, 'iocp_memory_shed_bytes_total')).toBe(1234);
    expect(text).toContain('# TYPE iocp_memory_sheds_total counter');
  });
});
