import { writeFileSync } from 'node:fs';
import { runMain } from '@iocp/cli-support';
import { parseStressArgs } from './cli.js';
import { EXIT_ERRORS, EXIT_OK } from './errors.js';
import { formatSummary } from './internal/format-summary.js';
import { ProgressLine } from './internal/progress-line.js';
import { startStress } from './internal/run-stress.js';

async function main(): Promise<number> {
  const parsed = parseStressArgs(process.argv.slice(2));
  if (parsed.kind === 'exit') return parsed.exitCode;
  const options = parsed.options;

  const run = startStress(options);
  const progress = options.quiet || !process.stderr.isTTY ? undefined : new ProgressLine(run.progress, process.stderr);
  progress?.begin();
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts > 1) process.exit(130);
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { summary: measured, latency } = await run.done;
  let exitCode = measured.exitCode;
  progress?.end();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (options.hgrm !== undefined) {
    try {
      // Values in milliseconds, the unit HdrHistogram's plotter and wrk2 use.
      writeFileSync(options.hgrm, latency.outputPercentileDistribution(5, 1000));
    } catch (error) {
      process.stderr.write(`stress: IOCP_ERR_HGRM_WRITE: cannot write ${options.hgrm}: ${(error as Error).message}\n`);
      if (exitCode === EXIT_OK) exitCode = EXIT_ERRORS;
    }
  }
  // The summary states the exit code the process really ends with (a failed --hgrm write included).
  const summary = exitCode === measured.exitCode ? measured : { ...measured, exitCode };
  process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return exitCode;
}

// A bad flag ends with one coded line and exit 2; a run sets the exit code and ends when its work is done.
void runMain('stress', main);
