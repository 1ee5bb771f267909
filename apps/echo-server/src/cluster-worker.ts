import { exitCodeOf } from '@iocp/cli-support';
import { AggregatorRegistry } from 'prom-client';
import type { ServerConfig } from './cli.js';
import { type WorkerToPrimary, isEchoMessage } from './cluster-messages.js';
import { EXIT_OK, formatErrorLine } from './errors.js';
import { createLogger } from './logger.js';
import { createPortMetricsRegistry } from './metrics.js';
import { type EchoServer, startEchoServer } from './server.js';
import { exitIfStuck, onShutdownSignal } from './signals.js';

const SHUTDOWN_GRACE_MS = 10_000;

function tell(message: WorkerToPrimary, then?: () => void): void {
  if (process.send) process.send(message, undefined, undefined, () => then?.());
  else then?.();
}

/**
 * One cluster worker: listens on the shared addresses, reports ready (or its one-line startup
 * error) to the primary instead of printing, answers the primary's metrics requests with its
 * own registry, and drains on the primary's shutdown message, SIGINT/SIGTERM, or when the
 * primary goes away.
 */
export async function runWorker(config: ServerConfig): Promise<void> {
  const log = createLogger(config.logLevel, 'worker');
  let server: EchoServer | undefined;
  const trigger = onShutdownSignal(log, async (why) => {
    log.info({ why }, 'worker shutting down');
    exitIfStuck(log, config.drainMs + SHUTDOWN_GRACE_MS, 'worker shutdown');
    await server?.close(config.drainMs);
    log.info({ stats: server?.port.stats() }, 'worker stopped');
    process.exit(EXIT_OK);
  });
  process.on('message', (message: unknown) => {
    if (isEchoMessage(message) && message.type === 'echo-server:shutdown') trigger(message.why);
  });
  process.on('disconnect', () => trigger('primary gone'));
  if (!process.connected) trigger('primary gone'); // it went away before we listened for that
  try {
    server = await startEchoServer(config, log);
  } catch (error) {
    const exitCode = exitCodeOf(error);
    tell({ type: 'echo-server:failed', line: formatErrorLine('echo-server', error), exitCode }, () => process.exit(exitCode));
    return;
  }
  const running = server;
  if (config.metrics) {
    AggregatorRegistry.setRegistries([createPortMetricsRegistry(() => running.port.stats(), running.jobStats)]);
    // prom-client installs the worker's answer to the primary's metrics request only when an
    // AggregatorRegistry is constructed in the worker; this instance exists for that side effect.
    new AggregatorRegistry();
  }
  tell({ type: 'echo-server:ready', addresses: [...running.addresses] });
}
