import { fileURLToPath } from 'node:url';

// Resolved against the package root through `dist/`, so the same URL is right whether this file
// runs from `dist/internal/` (published) or from `src/internal/` (tests run from source, after a
// build): worker threads can only load the compiled JavaScript.
/** Absolute path of the compiled worker entry that piscina runs. */
export const WORKER_ENTRY_PATH = fileURLToPath(
  new URL('../../dist/internal/worker-entry.js', import.meta.url),
);

/** Absolute path of the compiled echo worker module. */
export const ECHO_WORKER_PATH = fileURLToPath(new URL('../../dist/echo-worker.js', import.meta.url));
