import { type MetricsServer, registryScrape, startMetricsServer } from '@iocp/cli-support';
import type { ServerConfig } from './cli.js';
import { EXIT_FAILURE, EXIT_OK } from './errors.js';
import { createLogger } from './logger.js';
import { createPortMetricsRegistry } from './metrics.js';
import { type EchoServer, startEchoServer } from './server.js';
import { exitIfStuck, onShutdownSignal } from './signals.js';

/** Extra time allowed beyond the drain deadline before shutdown is declared stuck. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * One process: listeners, optional metrics endpoint, `listening` lines on stdout, graceful
 * stop on SIGINT/SIGTERM (exit 0). Startup errors propagate to `main` (one line, exit 1).
 */
export async function runSingle(config: ServerConfig, out: (line: string) => void): Promise<void> {
  const log = createLogger(config.logLevel, 'single');
  let server: EchoServer | undefined;
  let metrics: MetricsServer | undefined;
  let stopping = false;
  onShutdownSignal(log, async (why) => {
    stopping = true;
    log.info({ why, drainMs: config.drainMs }, 'shutting down');
    exitIfStuck(log, config.drainMs + SHUTDOWN_GRACE_MS, 'shutdown');
    await metrics?.close();
    await server?.close(config.drainMs);
    log.info({ stats: server?.port.stats() }, 'stopped');
    process.exit(EXIT_OK);
  }, { onSecondSignal: () => process.exit(EXIT_FAILURE) });
  server = await startEchoServer(config, log);
  if (config.metrics) {
    const registry = createPortMetricsRegistry(() => server!.port.stats(), server.jobStats);
    try {
      metrics = await startMetricsServer(config.metrics, registryScrape(registry));
    } catch (error) {
      await server.close(0);
      throw error;
    }
  }
  if (stopping) return;
  for (const address of server.addresses) out(`listening ${address}`);
  if (metrics) out(`metrics ${metrics.address}`);
}
