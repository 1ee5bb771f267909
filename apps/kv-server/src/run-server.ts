import { type MetricsServer, exitAfterFlush, runMain, startMetricsServer } from '@iocp/cli-support';
import pino from 'pino';
import { parseServerArgs } from './cli.js';
import { kvServerScrape } from './metrics.js';
import { type KvServer, startKvServer } from './server.js';
import { onStopSignal } from './stop-signal.js';

const APP = 'kv-server';

async function main(): Promise<number | undefined> {
  const parsed = parseServerArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  const c = parsed.config;
  const log = pino({ name: APP, level: c.logLevel, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  let server: KvServer | undefined;
  let metrics: MetricsServer | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, drainMs: c.drainMs }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, c.drainMs + 5000).unref();
    Promise.all([server?.close(c.drainMs), metrics?.close()]).then(
      () => {
        log.info({ stats: server?.port.stats() }, 'stopped');
        void exitAfterFlush(0);
      },
      (error: unknown) => {
        log.error({ err: (error as Error).message }, 'shutdown failed');
        void exitAfterFlush(1);
      },
    );
  };
  onStopSignal(stop);
  try {
    server = await startKvServer(c, log);
    if (c.metrics) {
      const s = server;
      metrics = await startMetricsServer(c.metrics, kvServerScrape(() => s.port.stats(), () => s.store.stats()));
    }
  } catch (error) {
    if (stopping) return undefined;
    await Promise.all([server?.close(0), metrics?.close()]).catch(() => {});
    throw error;
  }
  if (stopping) return undefined;
  for (const address of server.addresses) process.stdout.write(`listening ${address}\n`);
  if (metrics) process.stdout.write(`metrics ${metrics.address}\n`);
  return undefined;
}

void runMain(APP, main);
