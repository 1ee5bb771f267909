import { type Stats, statSync } from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT_FAILURE } from '@iocp/cli-support';
import { remoteBasename } from './cli.js';

/** What a non-regular file is, for the error message. */
function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a plain file';
}

/**
 * The local file a `get` writes: `local` itself, or `local/<basename of remote>` when `local` is
 * an existing folder (like `cp`). A download is published by renaming it over the target, so
 * an existing target that is not a regular file (`/dev/null`, a FIFO, a socket) would be
 * replaced, not written to: refused with `IOCP_ERR_FT_NOT_A_FILE` (exit 1) before connecting.
 */
export function getTarget(local: string, remote: string): string {
  const st = statSync(local, { throwIfNoEntry: false });
  const target = st?.isDirectory() ? path.join(local, remoteBasename(remote)) : local;
  const targetStat = target === local ? st : statSync(target, { throwIfNoEntry: false });
  if (targetStat && !targetStat.isFile()) {
    const kind = targetStat.isDirectory() ? 'a folder' : fileKind(targetStat);
    throw new CliError('IOCP_ERR_FT_NOT_A_FILE', `${target} is not a regular file (${kind})`, EXIT_FAILURE);
  }
  return target;
}
