// Only the signal guard is imported statically: the rest (commander, pino, prom-client, the
// transport) loads after it, so a SIGINT/SIGTERM during startup still exits 0.
import { exitOnSignalUntilReady } from './signals.js';

exitOnSignalUntilReady();

const APP = 'echo-server';
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const [{ default: cluster }, { parseServerArgs }, { EXIT_FAILURE, formatErrorLine }] = await Promise.all([
    import('node:cluster'),
    import('./cli.js'),
    import('./errors.js'),
  ]);
  try {
    const parsed = parseServerArgs(process.argv.slice(2), (text) => process.stdout.write(text));
    if (parsed.kind === 'exit') {
      process.exitCode = parsed.exitCode;
      return;
    }
    const { config } = parsed;
    if (config.workers <= 1) await (await import('./run-single.js')).runSingle(config, out);
    else if (cluster.isPrimary) await (await import('./cluster-primary.js')).runPrimary(config, out, err);
    else await (await import('./cluster-worker.js')).runWorker(config);
  } catch (error) {
    const [{ WorkerStartupError }, { exitAfterFlush }] = await Promise.all([import('./cluster-primary.js'), import('@iocp/cli-support')]);
    if (error instanceof WorkerStartupError) {
      err(error.line);
      await exitAfterFlush(error.workerExitCode);
    }
    err(formatErrorLine(APP, error));
    await exitAfterFlush((error as { exitCode?: number }).exitCode ?? EXIT_FAILURE);
  }
}

main().catch((error: unknown) => {
  err(`${APP}: IOCP_ERR_INTERNAL: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
