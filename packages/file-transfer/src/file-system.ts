import * as fsp from 'node:fs/promises';

/**
 * The file-system calls this package makes, as a subset of `node:fs/promises`. The default is
 * `node:fs/promises` itself; tests (or a user who wants quotas, metrics or a virtual disk)
 * inject their own, e.g. one whose `FileHandle.write` fails with `ENOSPC`.
 */
export type FileSystem = Pick<
  typeof fsp,
  'open' | 'stat' | 'lstat' | 'realpath' | 'mkdir' | 'rename' | 'unlink' | 'statfs' | 'opendir' | 'readdir' | 'utimes'
>;

/** The real file system (`node:fs/promises`). */
export const nodeFileSystem: FileSystem = fsp;
