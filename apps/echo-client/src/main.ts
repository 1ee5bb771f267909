import { parseClientArgs } from './cli.js';
import { formatErrorLine } from './errors.js';
import { runClient } from './run-client.js';

async function main(): Promise<number> {
  const parsed = parseClientArgs(process.argv.slice(2), (text) => process.stdout.write(text));
  if (parsed.kind === 'exit') return parsed.exitCode;
  return runClient(parsed.config, {
    stdin: process.stdin,
    stdout: process.stdout,
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${formatErrorLine(error)}\n`);
    process.exit((error as { exitCode?: number }).exitCode ?? 1);
  },
);
