import { type ScrapeSource, registerHealthMetrics, registerMemoryBudgetMetrics } from '@iocp/cli-support';
import type { PortStats } from '@iocp/transport';
import { Registry } from 'prom-client';
import type { StoreStats } from './store.js';

/** Prometheus text exposition (format 0.0.4) of the server's counters. */
export function renderMetrics(port: PortStats, store: StoreStats): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric('iocp_kv_connections', 'gauge', 'Open client connections.', port.connections.current);
  metric('iocp_kv_connections_accepted_total', 'counter', 'Connections accepted.', port.connections.accepted);
  metric('iocp_kv_connections_proxied_total', 'counter', 'Connections that started with a PROXY header naming a client (--proxy-protocol).', port.connections.proxied);
  metric('iocp_kv_proxy_health_checks_total', 'counter', 'PROXY LOCAL connections (balancer health checks), closed without serving.', port.connections.proxyLocal);
  metric('iocp_kv_commands_total', 'counter', 'Requests decoded.', port.messagesIn);
  metric('iocp_kv_replies_total', 'counter', 'Replies sent.', port.messagesOut);
  metric('iocp_kv_received_bytes_total', 'counter', 'Bytes read from sockets.', port.bytesIn);
  metric('iocp_kv_sent_bytes_total', 'counter', 'Bytes written to sockets.', port.bytesOut);
  metric('iocp_kv_keys', 'gauge', 'Keys held.', store.keys);
  metric('iocp_kv_keys_with_expiry', 'gauge', 'Keys with an expiry.', store.expires);
  metric('iocp_kv_expired_keys_total', 'counter', 'Keys deleted because their time was up.', store.expiredKeys);
  metric('iocp_kv_keyspace_hits_total', 'counter', 'Reads that found their key.', store.hits);
  metric('iocp_kv_keyspace_misses_total', 'counter', 'Reads that did not.', store.misses);
  out.push('# HELP iocp_kv_closed_connections_total Closed connections by reason.', '# TYPE iocp_kv_closed_connections_total counter');
  for (const [reason, n] of Object.entries(port.connections.closed).sort()) out.push(`iocp_kv_closed_connections_total{reason="${reason}"} ${n}`);
  return `${out.join('\n')}\n`;
}

/**
 * kv-server's scrape: its own series ({@link renderMetrics}) followed by process health
 * (event-loop delay percentiles, heap, handles, RSS — prom-client's default collectors) and the
 * transport's memory budget (`iocp_memory_*`), one stats snapshot per scrape.
 */
export function kvServerScrape(port: () => PortStats, store: () => StoreStats): ScrapeSource {
  const registry = new Registry();
  registerHealthMetrics(registry);
  let snapshot: PortStats | undefined;
  registerMemoryBudgetMetrics(registry, () => snapshot?.memory);
  return async () => {
    snapshot = port();
    const own = renderMetrics(snapshot, store());
    const health = await registry.metrics();
    return { contentType: registry.contentType, body: `${own}${health}` };
  };
}
