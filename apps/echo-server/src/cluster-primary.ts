import cluster, { type Worker } from 'node:cluster';
import { type MetricsServer, startMetricsServer } from '@iocp/cli-support';
import { AggregatorRegistry } from 'prom-client';
import type { ServerConfig } from './cli.js';
import { type PrimaryToWorker, type WorkerToPrimary, isEchoMessage } from './cluster-messages.js';
import { EXIT_FAILURE, EXIT_OK, StartupError } from './errors.js';
import { createLogger } from './logger.js';
import { exitIfStuck, onShutdownSignal } from './signals.js';

/** A worker that dies after startup is replaced, at most this many times per window. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const SHUTDOWN_GRACE_MS = 10_000;

/** Thrown when a worker reports a startup failure; `line` is the worker's one-line message. */
export class WorkerStartupError extends StartupError {
  readonly line: string;
  readonly workerExitCode: number;

  constructor(line: string, workerExitCode: number) {
    super('IOCP_ERR_WORKER_STARTUP', line);
    this.line = line;
    this.workerExitCode = workerExitCode;
  }
}

/**
 * The cluster primary: forks `config.workers` processes that share the listeners (node:cluster
 * hands accepted sockets round-robin on Linux), waits until EVERY worker is listening, then
 * prints each `listening` line once. Serves `/metrics` itself, summing the workers' registries
 * (prom-client `AggregatorRegistry`). SIGINT/SIGTERM are forwarded as a shutdown message; the
 * primary exits 0 when every worker drained and exited 0.
 */
export async function runPrimary(config: ServerConfig, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const log = createLogger(config.logLevel, 'primary');
  let stopping = false;
  let metrics: MetricsServer | undefined;
  const restarts: number[] = [];

  // Workers that said they are listening. A stop message sent before a worker installed its
  // handler would be lost, so a worker still starting gets it when it reports ready.
  const ready = new Set<number>();
  let stopMessage: PrimaryToWorker | undefined;
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isEchoMessage(message) || message.type !== 'echo-server:ready') return;
    ready.add(worker.id);
    if (stopMessage && worker.isConnected()) worker.send(stopMessage);
  });
  cluster.on('exit', (worker: Worker) => ready.delete(worker.id));

  const shutdownWorkers = (why: string): Promise<number> => {
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const exits = alive.map(
      (w) =>
        new Promise<number>((resolve) => {
          if (w.isDead()) resolve(w.process.exitCode ?? EXIT_FAILURE);
          else w.once('exit', (code, signal) => resolve(signal ? EXIT_FAILURE : (code ?? EXIT_FAILURE)));
        }),
    );
    stopMessage = { type: 'echo-server:shutdown', why };
    for (const w of alive) {
      if (!w.isConnected()) w.process.kill('SIGTERM');
      else if (ready.has(w.id)) w.send(stopMessage);
    }
    return Promise.all(exits).then((codes) => codes.find((c) => c !== 0) ?? EXIT_OK);
  };

  let signalled = false;
  onShutdownSignal(log, async (why) => {
    signalled = true;
    stopping = true;
    log.info({ why, workers: config.workers }, 'shutting down workers');
    exitIfStuck(log, config.drainMs + SHUTDOWN_GRACE_MS, 'cluster shutdown');
    await metrics?.close();
    const code = await shutdownWorkers(why);
    log.info({ exitCode: code }, 'all workers stopped');
    process.exit(code);
  }, {
    onSecondSignal: () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(EXIT_FAILURE);
    },
  });

  const fork = (): Worker => cluster.fork();

  // Phase 1: every worker listening (or the first failure).
  const addresses = await new Promise<string[]>((resolve, reject) => {
    let readyCount = 0;
    let first: string[] | undefined;
    const onMessage = (worker: Worker, message: unknown): void => {
      if (!isEchoMessage(message)) return;
      const m = message as WorkerToPrimary;
      if (m.type === 'echo-server:failed') {
        reject(new WorkerStartupError(m.line, m.exitCode));
      } else if (m.type === 'echo-server:ready') {
        log.debug({ worker: worker.process.pid, addresses: m.addresses }, 'worker ready');
        first ??= m.addresses;
        if (m.addresses.join(' ') !== first.join(' ')) {
          log.warn({ worker: worker.process.pid, addresses: m.addresses, expected: first }, 'worker bound different addresses');
        }
        if (++readyCount === config.workers) {
          cluster.off('message', onMessage);
          cluster.off('exit', onEarlyExit);
          resolve(first);
        }
      }
    };
    const onEarlyExit = (worker: Worker, code: number | null, signal: string | null): void => {
      reject(new StartupError('IOCP_ERR_WORKER_STARTUP', `worker ${worker.process.pid} exited during startup (${signal ?? `code ${code}`})`));
    };
    cluster.on('message', onMessage);
    cluster.on('exit', onEarlyExit);
    const pids: Array<number | undefined> = [];
    for (let i = 0; i < config.workers; i++) pids.push(fork().process.pid);
    log.info({ workers: pids }, 'workers forked');
  }).catch(async (error: unknown): Promise<string[]> => {
    if (signalled) return []; // stopped during startup: the signal handler exits, not an error
    stopping = true;
    await shutdownWorkers('startup failed');
    throw error;
  });
  if (stopping) return;

  // Phase 2: replace workers that die while serving (bounded), metrics, announce.
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    log.error({ worker: worker.process.pid, code, signal, restartsInWindow: restarts.length }, 'worker died');
    if (restarts.length >= MAX_RESTARTS) {
      err(`echo-server: IOCP_ERR_WORKER_CRASH: ${MAX_RESTARTS} workers died within ${RESTART_WINDOW_MS / 1000} s; giving up`);
      stopping = true;
      shutdownWorkers('too many worker crashes').then(() => process.exit(EXIT_FAILURE));
      return;
    }
    restarts.push(now);
    fork();
  });

  if (config.metrics) {
    const aggregator = new AggregatorRegistry();
    metrics = await startMetricsServer(config.metrics, async () => ({
      contentType: aggregator.contentType,
      body: (await aggregator.clusterMetrics()) as string,
    })).catch(async (error: unknown) => {
      stopping = true;
      await shutdownWorkers('metrics failed');
      throw error;
    });
  }
  if (stopping) return;
  for (const address of addresses) out(`listening ${address}`);
  if (metrics) out(`metrics ${metrics.address}`);
  log.info({ workers: config.workers, listeners: addresses }, 'cluster ready');
}

