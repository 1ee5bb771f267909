/**
 * The SIGINT/SIGTERM guard, installed first thing (before commander, pino and the transport
 * load): a stop signal during startup exits 0 instead of killing the process by the signal.
 */

/** What the one SIGINT/SIGTERM listener does now; replaced, never removed. */
let onStop: (signal: NodeJS.Signals) => void = () => process.exit(0);
let installed = false;

/**
 * Install one listener per signal for the whole life of the process (until {@link onStopSignal}
 * replaces the action, a stop signal exits 0 at once: nothing is open yet). Removing the last
 * listener would close Node's signal watcher and lose a signal caught but not yet dispatched,
 * so the action is swapped instead.
 */
export function installStopSignals(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', (signal) => onStop(signal));
  process.on('SIGTERM', (signal) => onStop(signal));
}

/** From now on, SIGINT/SIGTERM call `action` (every time: it decides what a repeat means). */
export function onStopSignal(action: (signal: NodeJS.Signals) => void): void {
  installStopSignals();
  onStop = action;
}
