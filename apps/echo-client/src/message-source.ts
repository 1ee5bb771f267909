import { createInterface } from 'node:readline';

/**
 * Where messages come from: the command line, stdin lines (a pipe or file), or an interactive
 * prompt when stdin is a terminal. Lines are read on demand: the readline iterator pauses stdin
 * while the client waits for an echo, so a large input is never buffered whole.
 */
export async function* messageSource(
  args: readonly string[],
  stdin: NodeJS.ReadStream,
  prompt: NodeJS.WriteStream,
): AsyncGenerator<string> {
  if (args.length > 0) {
    yield* args;
    return;
  }
  const interactive = stdin.isTTY === true;
  const rl = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY, ...(interactive ? { output: prompt, prompt: 'echo> ' } : {}) });
  try {
    if (interactive) rl.prompt();
    for await (const line of rl) {
      yield line;
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
  }
}
