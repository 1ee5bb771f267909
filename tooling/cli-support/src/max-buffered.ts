import { Option } from 'commander';
import { parseByteSize } from './byte-size.js';
import { optionParser } from './command-line.js';

/** Smallest accepted `--max-buffered`: 1 MiB (below it every large frame would be shed). */
export const MIN_MAX_BUFFERED = 1024 * 1024;

/**
 * Parse a `--max-buffered` value: a byte size ({@link parseByteSize}: `256m`, `2g`), at least
 * 1 MiB, or `off` (no port-wide budget: `Infinity`). Throws a plain `Error` with a one-line
 * message (wrap it with {@link optionParser}).
 */
export function parseMaxBuffered(text: string): number {
  if (text.trim().toLowerCase() === 'off') return Number.POSITIVE_INFINITY;
  return parseByteSize(text, MIN_MAX_BUFFERED, Number.MAX_SAFE_INTEGER);
}

/**
 * The `--max-buffered <size>` option every server app shares: the transport's
 * `limits.maxBufferedBytes` (partial frames plus queued sends over all connections of the
 * process). Unset, the transport's default applies: a quarter of the memory the process may use
 * (`process.constrainedMemory()` or `os.totalmem()`), at least 64 MiB. The parsed value is a
 * number of bytes (`Infinity` for `off`), or `undefined` when the flag is absent.
 */
export function maxBufferedOption(): Option {
  return new Option(
    '--max-buffered <size>',
    'memory budget of the process: partial frames + queued sends over all connections; at 3/4 new peers are refused and big readers paused, at the limit the largest holders are closed (memory-budget); suffixes k, m, g; "off" = none (default: 1/4 of the memory the process may use, at least 64m)',
  ).argParser(optionParser(parseMaxBuffered));
}
