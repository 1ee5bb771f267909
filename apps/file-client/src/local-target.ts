import { statSync } from 'node:fs';
import * as path from 'node:path';
import { remoteBasename } from './cli.js';

/**
 * The local file a `get` writes: `local` itself, or `local/<basename of remote>` when `local` is
 * an existing folder (like `cp`). An existing target that is not a regular file (`/dev/null`, a
 * FIFO, a socket) is refused by `FileClient.get` itself (`IOCP_ERR_FT_NOT_A_FILE`, exit 1): the
 * download is published by renaming over the target, which would replace it.
 */
export function getTarget(local: string, remote: string): string {
  const st = statSync(local, { throwIfNoEntry: false });
  return st?.isDirectory() ? path.join(local, remoteBasename(remote)) : local;
}
