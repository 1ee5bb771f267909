import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

/** What parsing a command line decided: run, or exit now with a code (help or version was printed). */
export type CommandLineOutcome = { readonly kind: 'run' } | { readonly kind: 'exit'; readonly exitCode: number };

/** Commander codes that mean "printed what was asked, stop with exit 0". */
const PRINTED = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/**
 * Adapt a parser that throws a plain `Error` (such as {@link parseByteSize}) to a commander
 * option or argument parser: the message becomes commander's own
 * `option '--x <v>' argument 'bad' is invalid. <message>`, which {@link parseCommandLine} turns
 * into a {@link UsageError}.
 */
export function optionParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

/**
 * Make a command (and, applied to each, its subcommands) report instead of exit: commander
 * throws instead of calling `process.exit`, help and version text go to `write`, and commander
 * prints no error of its own (the app prints one coded line). The help commander would print as
 * an error (a program with subcommands run without one) is not printed either:
 * {@link parseCommandLine} reports it as a one-line usage error. Returns `command` for chaining.
 */
export function reportingCommand(command: Command, write: (text: string) => void): Command {
  return command.exitOverride().configureOutput({ writeOut: write, writeErr: () => {}, outputError: () => {} });
}

/** `a, b or c`. */
function oneOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Parse `argv` (user arguments: without `node` and the script) with a command set up by
 * {@link reportingCommand} (or any command with `exitOverride()`).
 *
 * - `--help` / `--version` (and a bare `help` of a command with subcommands) → `{ kind: 'exit', exitCode: 0 }`.
 * - A program with subcommands run without one → throws {@link UsageError}
 *   `a command is required: put, get or list` (no help text is printed).
 * - Any other commander error (unknown flag, missing or invalid value) → throws
 *   {@link UsageError} with commander's message without its `error: ` prefix, commander's error as `cause`.
 * - Otherwise `{ kind: 'run' }`; read the values with `command.opts()`.
 */
export function parseCommandLine(command: Command, argv: readonly string[]): CommandLineOutcome {
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.help' && error.exitCode !== 0) {
        const names = command.commands.map((c) => c.name()).filter((n) => n !== 'help');
        throw new UsageError(`a command is required: ${oneOf(names)}`, { cause: error });
      }
      if (PRINTED.has(error.code)) return { kind: 'exit', exitCode: 0 };
      throw new UsageError(error.message.replace(/^error:\s*/, ''), { cause: error });
    }
    throw error;
  }
  return { kind: 'run' };
}
