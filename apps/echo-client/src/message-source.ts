import { fstatSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FrameReader, delimiter } from '@iocp/framing';
import { EXIT_USAGE, EchoClientError } from './errors.js';

const NEWLINE = 0x0a;

/**
 * Where messages come from: the command line, stdin lines (a pipe or file), or an interactive
 * prompt when stdin is a terminal.
 *
 * Piped stdin is split with @iocp/framing's delimiter decoder (`\n` or `\r\n`), one chunk at a
 * time, and the next chunk is read only after every line of the previous one was echoed: memory
 * stays at one chunk plus one partial line, and a line longer than `maxLine` bytes fails with
 * `IOCP_ERR_MESSAGE_TOO_LONG` instead of being buffered. Lines are passed on as bytes, so
 * non-UTF-8 input is echoed exactly.
 */
export async function* messageSource(
  args: readonly string[],
  stdin: NodeJS.ReadStream,
  prompt: NodeJS.WriteStream | undefined,
  maxLine: number,
): AsyncGenerator<Buffer> {
  if (args.length > 0) {
    for (const arg of args) yield Buffer.from(arg, 'utf8');
  } else if (stdin.isTTY === true) {
    yield* interactiveLines(stdin, prompt);
  } else {
    yield* pipedLines(stdin, maxLine);
  }
}

async function* interactiveLines(stdin: NodeJS.ReadStream, prompt: NodeJS.WriteStream | undefined): AsyncGenerator<Buffer> {
  // Without an output (no terminal to prompt on) readline reads the lines and prints nothing.
  const rl = createInterface({ input: stdin, ...(prompt ? { output: prompt } : {}), prompt: 'echo> ', crlfDelay: Number.POSITIVE_INFINITY });
  try {
    rl.prompt();
    for await (const line of rl) {
      yield Buffer.from(line, 'utf8');
      rl.prompt();
    }
  } finally {
    rl.close();
  }
}

async function* pipedLines(stdin: NodeJS.ReadStream, maxLine: number): AsyncGenerator<Buffer> {
  // Node reads a folder on stdin (`< /tmp`) as an empty stream: say so instead of sending nothing.
  if (isFolder(stdin)) throw new EchoClientError('IOCP_ERR_USAGE', 'stdin is a folder, not lines to send', EXIT_USAGE);
  const reader = new FrameReader(delimiter({ delimiter: ['\r\n', '\n'], maxFrameLength: maxLine }).createDecoder());
  let lineNo = 0;
  let last = NEWLINE;
  const lines = function* (): Generator<Buffer> {
    for (;;) {
      let line: Buffer | undefined;
      try {
        line = reader.next();
      } catch (error) {
        throw new EchoClientError('IOCP_ERR_MESSAGE_TOO_LONG', `stdin line ${lineNo + 1} is longer than ${maxLine} bytes (--max-frame)`, EXIT_USAGE, {
          cause: error,
        });
      }
      if (line === undefined) return;
      lineNo++;
      yield line;
    }
  };
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    if (chunk.length === 0) continue;
    last = chunk[chunk.length - 1]!;
    reader.push(chunk);
    yield* lines();
  }
  if (last !== NEWLINE) {
    reader.push(Buffer.of(NEWLINE)); // the last line had no newline: it is still a message
    yield* lines();
  }
}

/** Whether stdin is an open folder (`< /tmp`). */
function isFolder(stdin: NodeJS.ReadStream): boolean {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return false;
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}
