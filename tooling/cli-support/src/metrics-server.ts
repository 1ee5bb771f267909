import { type Server, createServer } from 'node:http';
import { formatEndpoint } from '@iocp/transport';
import { ListenError } from './errors.js';

/** The content type of the Prometheus text exposition format 0.0.4 (what prom-client's `Registry` reports). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Produces the exposition text for one scrape. A rejection answers 500; the server keeps running. */
export type ScrapeSource = () => Promise<{ readonly contentType: string; readonly body: string }>;

/** What {@link registryScrape} needs of a registry: prom-client's `Registry` and `AggregatorRegistry` fit. */
export interface MetricsRegistryLike {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** A running `/metrics` HTTP endpoint. */
export interface MetricsServer {
  /** Bound address as printed: `127.0.0.1:9100`, `[::1]:9100` (the real port when asked for 0). */
  readonly address: string;
  /** Stop listening and drop open scrape connections. */
  close(): Promise<void>;
}

/** Scrape a prom-client registry (`Registry`, or `AggregatorRegistry` in a cluster primary via a wrapper). */
export function registryScrape(registry: MetricsRegistryLike): ScrapeSource {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}

/** Scrape text rendered synchronously by the app (served as {@link PROMETHEUS_CONTENT_TYPE}). */
export function textScrape(render: () => string): ScrapeSource {
  return async () => ({ contentType: PROMETHEUS_CONTENT_TYPE, body: render() });
}

/**
 * Serve `GET /metrics` (and `HEAD`) on `at` with the text of `scrape`. Other paths answer 404,
 * other methods 405 (with `Allow: GET, HEAD`), a failed scrape 500 with a one-line reason; the
 * server keeps running in every case. The port is bound exclusively (not shared with cluster
 * workers).
 *
 * Rejects with {@link ListenError} (`IOCP_ERR_LISTEN`, exit 1) when the address cannot be bound:
 * `cannot serve metrics on HOST:PORT: EADDRINUSE`.
 */
export function startMetricsServer(at: { readonly host: string; readonly port: number }, scrape: ScrapeSource): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') {
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
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${reason}\n`);
      },
    );
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      reject(new ListenError(`cannot serve metrics on ${formatEndpoint(at.host, at.port)}: ${error.code ?? error.message}`, { cause: error }));
    };
    server.once('error', fail);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.off('error', fail);
      const bound = server.address();
      const address = bound !== null && typeof bound === 'object' ? formatEndpoint(bound.address, bound.port) : formatEndpoint(at.host, at.port);
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
