import { type ScrapeSource, registerHealthMetrics, registerMemoryBudgetMetrics } from '@iocp/cli-support';
import type { FileServerStats } from '@iocp/file-transfer';
import { Registry } from 'prom-client';

/** Prometheus text exposition (format 0.0.4) of a file server's stats. */
export function renderMetrics(s: FileServerStats): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, labels = ''): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${labels} ${value}`);
  };
  metric('iocp_file_server_connections', 'gauge', 'Connections being served.', s.connections);
  metric('iocp_file_server_uploads_in_progress', 'gauge', 'Names with an upload in progress.', s.uploadsInProgress);
  metric('iocp_file_server_uploads_started_total', 'counter', 'Uploads accepted (PUT_READY sent).', s.uploadsStarted);
  metric('iocp_file_server_uploads_published_total', 'counter', 'Uploads verified and published.', s.uploadsPublished);
  metric('iocp_file_server_downloads_started_total', 'counter', 'Downloads started.', s.downloadsStarted);
  metric('iocp_file_server_downloads_completed_total', 'counter', 'Downloads fully sent.', s.downloadsCompleted);
  metric('iocp_file_server_data_received_bytes_total', 'counter', 'File bytes received (uploads).', s.bytesReceived);
  metric('iocp_file_server_data_sent_bytes_total', 'counter', 'File bytes sent (downloads).', s.bytesSent);
  out.push('# HELP iocp_file_server_failures_total Failed requests and closed connections by error code.', '# TYPE iocp_file_server_failures_total counter');
  for (const [code, n] of Object.entries(s.failures).sort()) out.push(`iocp_file_server_failures_total{code="${code}"} ${n}`);
  if (s.transport) {
    metric('iocp_file_server_wire_received_bytes_total', 'counter', 'Bytes read from sockets.', s.transport.bytesIn);
    metric('iocp_file_server_wire_sent_bytes_total', 'counter', 'Bytes written to sockets.', s.transport.bytesOut);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The file server's scrape: its own series ({@link renderMetrics}) followed by process health
 * (event-loop delay percentiles, heap, handles, RSS — prom-client's default collectors) and the
 * transport's memory budget (`iocp_memory_*`), one stats snapshot per scrape.
 */
export function fileServerScrape(stats: () => FileServerStats): ScrapeSource {
  const registry = new Registry();
  registerHealthMetrics(registry);
  let snapshot: FileServerStats | undefined;
  registerMemoryBudgetMetrics(registry, () => snapshot?.transport?.memory);
  return async () => {
    snapshot = stats();
    const own = renderMetrics(snapshot);
    const health = await registry.metrics();
    return { contentType: registry.contentType, body: `${own}${health}` };
  };
}
