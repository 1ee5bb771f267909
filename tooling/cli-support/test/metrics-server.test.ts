import { request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError, type MetricsServer, PROMETHEUS_CONTENT_TYPE, registryScrape, startMetricsServer, textScrape } from '../src/index.js';

const open: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(...args: Parameters<typeof startMetricsServer>): Promise<MetricsServer> {
  const server = await startMetricsServer(...args);
  open.push(server);
  return server;
}

function send(address: string, method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(address)!;
  return new Promise((resolve, reject) => {
    const req = request({ host: m[1], port: Number(m[2]), method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startMetricsServer', () => {
  it('serves a prom-client registry at /metrics with its content type and metric names', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'iocp_connections_accepted_total', help: 'Connections accepted since start.', registers: [registry] });
    counter.inc(3);
    const server = await start({ host: '127.0.0.1', port: 0 }, registryScrape(registry));
    expect(server.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const res = await send(server.address, 'GET', '/metrics?x=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(registry.contentType);
    expect(res.body).toMatch(/^# TYPE iocp_connections_accepted_total counter$/m);
    expect(res.body).toMatch(/^iocp_connections_accepted_total 3$/m);
    counter.inc();
    expect((await send(server.address, 'GET', '/metrics')).body).toMatch(/^iocp_connections_accepted_total 4$/m);
  });

  it('HEAD has no body, other paths 404, other methods 405, a failed scrape 500 — and it keeps serving', async () => {
    let fail = false;
    const server = await start(
      { host: '127.0.0.1', port: 0 },
      textScrape(() => {
        if (fail) throw new Error('stats\nunavailable');
        return 'iocp_file_server_connections 0\n';
      }),
    );
    const head = await send(server.address, 'HEAD', '/metrics');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(await send(server.address, 'GET', '/')).toMatchObject({ status: 404, body: 'not found: try /metrics\n' });
    const post = await send(server.address, 'POST', '/metrics');
    expect(post).toMatchObject({ status: 405, body: 'method not allowed\n' });
    expect(post.headers.allow).toBe('GET, HEAD');
    fail = true;
    expect(await send(server.address, 'GET', '/metrics')).toMatchObject({ status: 500, body: 'scrape failed: stats unavailable\n' });
    fail = false;
    expect(await send(server.address, 'GET', '/metrics')).toMatchObject({ status: 200, body: 'iocp_file_server_connections 0\n' });
  });

  it('prints an IPv6 address bracketed', async () => {
    const server = await start({ host: '::1', port: 0 }, textScrape(() => ''));
    expect(server.address).toMatch(/^\[::1\]:[1-9]\d*$/);
    expect((await send(server.address, 'GET', '/metrics')).status).toBe(200);
  });

  it('a port in use rejects with IOCP_ERR_LISTEN, exit 1, the address and the system code', async () => {
    const first = await start({ host: '127.0.0.1', port: 0 }, textScrape(() => ''));
    const port = Number(first.address.split(':')[1]);
    const error = await startMetricsServer({ host: '127.0.0.1', port }, textScrape(() => '')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ code: 'IOCP_ERR_LISTEN', exitCode: 1, message: `cannot serve metrics on 127.0.0.1:${port}: EADDRINUSE` });
    expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
  });

  it('close() drops kept-alive scrape connections and frees the port', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, textScrape(() => 'x 1\n'));
    await fetch(`http://${server.address}/metrics`); // keep-alive by default
    await server.close();
    await expect(fetch(`http://${server.address}/metrics`)).rejects.toThrow();
    const again = await start({ host: '127.0.0.1', port: Number(server.address.split(':')[1]) }, textScrape(() => ''));
    expect(again.address).toBe(server.address);
  });
});
