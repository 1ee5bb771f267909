import cluster from 'node:cluster';
import { parseServerArgs } from './cli.js';
import { WorkerStartupError, runPrimary } from './cluster-primary.js';
import { runWorker } from './cluster-worker.js';
import { EXIT_FAILURE, formatErrorLine } from './errors.js';
import { runSingle } from './run-single.js';

const APP = 'echo-server';
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function fail(error: unknown): void {
  if (error instanceof WorkerStartupError) {
    err(error.line);
    process.exit(error.workerExitCode);
  }
  err(formatErrorLine(APP, error));
  process.exit((error as { exitCode?: number }).exitCode ?? EXIT_FAILURE);
}

async function main(): Promise<void> {
  const parsed = parseServerArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') {
    process.exitCode = parsed.exitCode;
    return;
  }
  const { config } = parsed;
  if (config.workers <= 1) await runSingle(config, out);
  else if (cluster.isPrimary) await runPrimary(config, out, err);
  else await runWorker(config);
}

main().catch(fail);
