import { type MetricsServer, runMain, startMetricsServer, textScrape } from '@iocp/cli-support';
import { FileServer } from '@iocp/file-transfer';
import { formatEndpoint } from '@iocp/transport';
import pino from 'pino';
import { parseServerArgs } from './cli.js';
import { renderMetrics } from './metrics.js';

const APP = 'file-server';

async function main(): Promise<number | undefined> {
  const parsed = parseServerArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  const c = parsed.config;
  const log = pino({ name: APP, level: c.logLevel, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  const server = new FileServer({
    root: c.root,
    ...(c.token !== undefined ? { token: c.token } : {}),
    ...(c.maxFileSize !== undefined ? { maxFileSize: c.maxFileSize } : {}),
    maxFrameLength: c.maxFrame,
    chunkSize: c.chunkSize,
    logger: log,
  });
  await server.open();
  for (const l of c.listen) {
    const listener = await server.listen({ host: l.host, port: l.port, ...(c.tls ? { tls: c.tls } : {}) });
    process.stdout.write(`listening ${formatEndpoint(l.host, listener.port)}\n`);
  }
  let metrics: MetricsServer | undefined;
  if (c.metrics) {
    metrics = await startMetricsServer(c.metrics, textScrape(() => renderMetrics(server.stats())));
    process.stdout.write(`metrics ${metrics.address}\n`);
  }
  log.info({ root: server.root, tls: c.tls !== undefined, token: c.token !== undefined }, 'serving');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, c.drainMs + 5000).unref();
    Promise.all([server.close({ drainMs: c.drainMs }), metrics?.close()]).then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return undefined; // keeps serving until a signal
}

void runMain(APP, main);
