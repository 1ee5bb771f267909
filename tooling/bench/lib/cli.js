/**
 * The command-line frame of the bench scripts: parse flags (node:util parseArgs, strict), print
 * the usage on --help and exit 0, or print "NAME: message" and the usage on stderr and exit 2.
 */
import { parseArgs } from 'node:util';

/**
 * @param {string} name       script name for error lines
 * @param {string} usage      usage text
 * @param {import('node:util').ParseArgsConfig['options']} options  flags, `help` is added
 * @returns {{ flags: Record<string, any>, fail: (message: string) => never }}
 */
export function parseFlags(name, usage, options) {
  /** @type {(message: string) => never} */
  const fail = (message) => {
    process.stderr.write(`${name}: ${message}\n${usage}\n`);
    process.exit(2);
  };
  let flags;
  try {
    flags = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } }, strict: true }).values;
  } catch (error) {
    fail(error.message);
  }
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return { flags, fail };
}
