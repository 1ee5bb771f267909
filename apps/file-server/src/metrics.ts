import { type Server, createServer } from 'node:http';
import type { FileServerStats } from '@iocp/file-transfer';
import { type HostPort, formatHostPort } from './internal/host-port.js';

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

/** A running `/metrics` endpoint. */
export interface MetricsEndpoint {
  /** Bound address as printed: `127.0.0.1:9100`, `[::1]:9100`. */
  readonly address: string;
  close(): Promise<void>;
}

/** Serve `GET /metrics` on `at`; other paths 404, other methods 405. */
export function serveMetrics(at: HostPort, stats: () => FileServerStats): Promise<MetricsEndpoint> {
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    const body = renderMetrics(stats());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const e = new Error(`cannot serve metrics on ${formatHostPort(at.host, at.port)}: ${err.code ?? err.message}`, { cause: err });
      (e as Error & { code: string }).code = 'IOCP_ERR_LISTEN';
      reject(e);
    });
    server.listen({ host: at.host, port: at.port }, () => {
      const a = server.address();
      const address = a !== null && typeof a === 'object' ? formatHostPort(a.address, a.port) : formatHostPort(at.host, at.port);
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
