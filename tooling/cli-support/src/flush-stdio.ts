/**
 * Ending a process without losing output. On POSIX, Node writes to a pipe asynchronously: what
 * the reader has not taken yet (beyond the ~64 KiB pipe buffer) waits in the stream, and
 * `process.exit()` drops it. {@link flushStdio} waits until those bytes have left;
 * {@link exitAfterFlush} exits only then.
 */

/** The part of a writable stream {@link flushStdio} needs. */
export interface FlushableStream {
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  once(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

function flushOne(stream: FlushableStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    // A reader that went away (EPIPE) ends the wait too: there is nobody left to deliver to.
    const onError = (): void => resolve();
    stream.once('error', onError);
    // Writes complete in order: the callback of an empty write runs once every earlier byte left.
    stream.write('', () => {
      stream.off('error', onError);
      resolve();
    });
  });
}

/**
 * Resolve once everything written so far to `streams` (default: stdout and stderr) has been
 * handed to the operating system, or the stream failed or was destroyed. It waits as long as
 * the reader takes: like `cat`, a process writing to a reader that never reads does not end.
 */
export async function flushStdio(streams: readonly FlushableStream[] = [process.stdout, process.stderr]): Promise<void> {
  await Promise.all(streams.map(flushOne));
}

/** `process.exit(code)` once stdout and stderr are flushed ({@link flushStdio}). */
export async function exitAfterFlush(code: number): Promise<never> {
  process.exitCode = code;
  await flushStdio();
  return process.exit(code);
}
