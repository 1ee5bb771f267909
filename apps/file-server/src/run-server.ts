import { type MetricsServer, exitAfterFlush, runMain, startMetricsServer } from '@iocp/cli-support';
import { DEFAULT_PORT_OPTIONS, FileServer } from '@iocp/file-transfer';
import { formatEndpoint } from '@iocp/transport';
import pino from 'pino';
import { parseServerArgs } from './cli.js';
import { fileServerScrape } from './metrics.js';
import { onStopSignal } from './stop-signal.js';

const APP = 'file-server';

async function main(): Promise<number | undefined> {
  const parsed = parseServerArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  const c = parsed.config;
  const log = pino(
    {
      name: APP,
      level: c.logLevel,
      base: { pid: process.pid },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const server = new FileServer({
    root: c.root,
    ...(c.token !== undefined ? { token: c.token } : {}),
    ...(c.maxFileSize !== undefined ? { maxFileSize: c.maxFileSize } : {}),
    maxFrameLength: c.maxFrame,
    chunkSize: c.chunkSize,
    logger: log,
    ...(c.writeTimeoutMs > 0 || c.maxBuffered !== undefined
      ? {
          portOptions: {
            ...DEFAULT_PORT_OPTIONS,
            ...(c.maxBuffered !== undefined ? { limits: { ...DEFAULT_PORT_OPTIONS.limits, maxBufferedBytes: c.maxBuffered } } : {}),
            ...(c.writeTimeoutMs > 0 ? { timeouts: { ...DEFAULT_PORT_OPTIONS.timeouts, writeStallMs: c.writeTimeoutMs } } : {}),
          },
        }
      : {}),
  });
  let metrics: MetricsServer | undefined;
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
        void exitAfterFlush(0);
      },
      (error: unknown) => {
        log.error({ err: (error as Error).message }, 'shutdown failed');
        void exitAfterFlush(1);
      },
    );
  };
  onStopSignal(stop); // from here a stop signal closes what is open, also during startup
  const addresses: string[] = [];
  try {
    await server.open();
    for (const l of c.listen) {
      const listener = await server.listen({
        host: l.host,
        port: l.port,
        ...(c.tls ? { tls: c.tls } : {}),
        ...(c.proxyProtocol ? { proxyProtocol: c.proxyProtocol } : {}),
      });
      addresses.push(formatEndpoint(l.host, listener.port));
    }
    if (c.metrics) metrics = await startMetricsServer(c.metrics, fileServerScrape(() => server.stats()));
  } catch (error) {
    if (stopping) return undefined; // stopped during startup: the stop path ends the process (exit 0)
    await Promise.all([server.close({ drainMs: 0 }), metrics?.close()]).catch(() => {});
    throw error;
  }
  if (stopping) return undefined;
  // Only now, with every listener and the metrics endpoint up: a script waiting for these lines
  // may rely on everything being ready.
  for (const address of addresses) process.stdout.write(`listening ${address}\n`);
  if (metrics) process.stdout.write(`metrics ${metrics.address}\n`);
  log.info({ root: server.root, tls: c.tls !== undefined, token: c.token !== undefined }, 'serving');
  return undefined; // keeps serving until a signal
}

void runMain(APP, main);
