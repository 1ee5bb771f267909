import { type Server, createServer } from 'node:http';
import { StartupError } from './errors.js';
import { type HostPort, formatHostPort } from './internal/parse-address.js';

/** Produces the exposition text for one scrape. */
export type ScrapeSource = () => Promise<{ contentType: string; body: string }>;

/** A running `/metrics` HTTP endpoint. */
export interface MetricsServer {
  /** Bound address as printed: `127.0.0.1:9100`, `[::1]:9100`. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Serve `GET /metrics` (Prometheus text) on `at`. Other paths get 404, other methods 405. A
 * failed scrape answers 500 with a one-line reason; the server keeps running.
 */
export function startMetricsServer(at: HostPort, scrape: ScrapeSource): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${(error as Error).message}\n`);
      },
    );
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      reject(
        new StartupError('IOCP_ERR_LISTEN', `cannot serve metrics on ${formatHostPort(at.host, at.port)}: ${error.code ?? error.message}`, {
          cause: error,
        }),
      );
    };
    server.once('error', fail);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.off('error', fail);
      const bound = server.address();
      const address =
        bound !== null && typeof bound === 'object' ? formatHostPort(bound.address, bound.port) : formatHostPort(at.host, at.port);
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
