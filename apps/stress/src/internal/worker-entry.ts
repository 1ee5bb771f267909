import { parentPort, workerData } from 'node:worker_threads';
import type { EngineConfig } from './engine-types.js';
import { LoadEngine } from './load-engine.js';

/**
 * Worker-thread side of `--threads`: runs one {@link LoadEngine} on its share of the
 * connections, writes live counters into the shared progress array, posts the result, exits.
 */
const data = workerData as { config: EngineConfig; progress: SharedArrayBuffer };
const engine = new LoadEngine(data.config, new Float64Array(data.progress));
parentPort!.on('message', (message: unknown) => {
  if (message === 'stop') engine.stop();
});
const result = await engine.run();
parentPort!.postMessage({ type: 'result', result });
parentPort!.close();
