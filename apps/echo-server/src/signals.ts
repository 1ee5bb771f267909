import type { Logger } from './logger.js';

/** What a second stop signal during shutdown does. */
export interface ShutdownPolicy {
  /**
   * Called on a SECOND SIGINT/SIGTERM while shutting down (the operator insists); it must end
   * the process. Omit it where a repeated signal is expected and harmless: a cluster worker gets
   * the terminal's Ctrl-C itself AND the primary's stop message, in either order.
   */
  onSecondSignal?: () => void;
}

/** What the one SIGINT/SIGTERM listener does now; replaced, never removed (see below). */
let onSignal: (signal: NodeJS.Signals) => void = () => process.exit(0);
let installed = false;

/**
 * One listener per signal for the whole life of the process, delegating to `onSignal`.
 * Removing the last listener closes Node's signal watcher, and a signal already caught but not
 * yet dispatched is then lost, so handlers are swapped instead of removed and re-added.
 */
function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', (signal) => onSignal(signal));
  process.on('SIGTERM', (signal) => onSignal(signal));
}

/**
 * Until {@link onShutdownSignal} takes over, SIGINT/SIGTERM exit 0 at once: nothing has been
 * opened yet, so there is nothing to drain (and Node's default would die by the signal).
 */
export function exitOnSignalUntilReady(): void {
  install();
}

/**
 * Run `shutdown` once, on the first SIGINT or SIGTERM or when the returned trigger is called
 * (e.g. by an IPC message from the cluster primary); later triggers are ignored, except a
 * second signal when the policy says what to do about it.
 */
export function onShutdownSignal(
  log: Logger,
  shutdown: (why: string) => Promise<void>,
  policy: ShutdownPolicy = {},
): (why: string) => void {
  let started = false;
  const trigger = (why: string): void => {
    if (started) return;
    started = true;
    shutdown(why).catch((error: unknown) => {
      log.error({ err: (error as Error).message }, 'shutdown failed');
      process.exit(1);
    });
  };
  install();
  onSignal = (signal) => {
    if (started && policy.onSecondSignal) {
      log.warn({ signal }, 'second stop signal during shutdown: stopping now');
      policy.onSecondSignal();
      return;
    }
    trigger(signal);
  };
  return trigger;
}

/** Exit 1 if still running `ms` from now; the timer does not hold the process open. */
export function exitIfStuck(log: Logger, ms: number, what: string): void {
  setTimeout(() => {
    log.error({ ms }, `${what} did not finish in time: exiting`);
    process.exit(1);
  }, ms).unref();
}
