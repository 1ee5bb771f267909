import type { Logger } from './logger.js';

/**
 * Run `shutdown` once on the first SIGINT or SIGTERM. A second signal while shutting down
 * exits at once with code 1 (the operator insists). Returns the trigger, so other events (an
 * IPC message from the cluster primary) can start the same shutdown.
 */
export function onShutdownSignal(log: Logger, shutdown: (why: string) => Promise<void>): (why: string) => void {
  let started = false;
  const trigger = (why: string): void => {
    if (started) {
      log.warn({ why }, 'second stop request during shutdown: exiting now');
      process.exit(1);
    }
    started = true;
    shutdown(why).catch((error: unknown) => {
      log.error({ err: (error as Error).message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => trigger('SIGINT'));
  process.on('SIGTERM', () => trigger('SIGTERM'));
  return trigger;
}

/** Exit with `code` if `promise` has not settled `ms` after now; the timer does not hold the process. */
export function exitIfStuck(log: Logger, ms: number, what: string): void {
  setTimeout(() => {
    log.error({ ms }, `${what} did not finish in time: exiting`);
    process.exit(1);
  }, ms).unref();
}
