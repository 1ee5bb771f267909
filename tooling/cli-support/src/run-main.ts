import { EXIT_BROKEN_PIPE, exitCodeOf, formatErrorLine } from './errors.js';
import { flushStdio } from './flush-stdio.js';

/** The process effects {@link runMain} uses; replaceable in tests. */
export interface MainProcess {
  /** Write text to stderr. Default: `process.stderr.write`. */
  writeErr(text: string): void;
  /** End the process now. Default: `process.exit`. */
  exit(code: number): void;
  /**
   * Resolve once the output written so far has left (called before every `exit`). Default:
   * {@link flushStdio} of stdout and stderr, so output to a slow pipe is never cut short.
   */
  flush?(): Promise<void>;
  /** Set the code the process ends with once the event loop is empty. Default: `process.exitCode = code`. */
  setExitCode(code: number): void;
}

/** Options of {@link runMain}. */
export interface RunMainOptions {
  /**
   * When `main` resolves with a number: `true` ends the process with it as soon as stdout and
   * stderr are flushed (`process.exit`; for clients whose stdin or sockets could keep the loop
   * alive); `false` (default) sets
   * `process.exitCode` and lets the process end when its work is done (servers that keep
   * running after `main` returns resolve with `undefined`, which sets nothing).
   */
  readonly exitOnReturn?: boolean;
  /** Process effects. Default: the real process. */
  readonly process?: MainProcess;
}

const realProcess: MainProcess = {
  writeErr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
  flush: () => flushStdio(),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * A reader of stdout/stderr that went away (`app | head -1`) is not an error of the app: end
 * quietly with {@link EXIT_BROKEN_PIPE}, as a C program that SIGPIPE ends (Node ignores SIGPIPE,
 * so the write fails with `EPIPE` instead, and an unhandled stream error would crash with a stack
 * trace). Any other stream error stays an uncaught exception.
 */
function onStdioError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
  throw error;
}

let stdioGuarded = false;

/**
 * Run an app's `main` and turn its outcome into the process exit:
 *
 * - resolves with a number → that exit code (see {@link RunMainOptions.exitOnReturn});
 * - resolves with `undefined` → nothing (the app set `process.exitCode` or keeps serving);
 * - rejects → prints `APP: CODE: message` ({@link formatErrorLine}) on stderr and exits with the
 *   error's exit code ({@link exitCodeOf}: a `CliError`'s own, 1 otherwise).
 *
 * Every exit waits until stdout and stderr are flushed ({@link MainProcess.flush}): output piped
 * to a slow reader is delivered whole. With the real process, a reader that went away (`EPIPE`
 * on stdout or stderr, e.g. `app | head -1`) ends the process at once with
 * {@link EXIT_BROKEN_PIPE} and nothing printed.
 *
 * The returned promise settles after the exit was requested (useful with a test `process`).
 */
export async function runMain(app: string, main: () => Promise<number | undefined>, options: RunMainOptions = {}): Promise<void> {
  const proc = options.process ?? realProcess;
  if (options.process === undefined && !stdioGuarded) {
    stdioGuarded = true;
    process.stdout.on('error', onStdioError);
    process.stderr.on('error', onStdioError);
  }
  let code: number | undefined;
  try {
    code = await main();
  } catch (error) {
    proc.writeErr(`${formatErrorLine(app, error)}\n`);
    const exitCode = exitCodeOf(error);
    proc.setExitCode(exitCode);
    await proc.flush?.();
    proc.exit(exitCode);
    return;
  }
  if (typeof code !== 'number') return;
  proc.setExitCode(code);
  if (options.exitOnReturn === true) {
    await proc.flush?.();
    proc.exit(code);
  }
}
