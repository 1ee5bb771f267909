// Only the signal guard is imported statically: the rest (commander, pino, the transport) loads
// after it, so a SIGINT/SIGTERM during startup exits 0.
import { installStopSignals } from './stop-signal.js';

installStopSignals();
await import('./run-server.js');
