import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { FileSystem } from '../../src/index.js';

function sysError(code: string, syscall: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated, ${syscall}`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  return e;
}

/**
 * The real file system, except that file handles opened on paths containing `match` have their
 * method `method` replaced by `override(handle)` (every other member is the real handle's).
 */
export function overridingHandles(match: string, method: string, override: (fh: FileHandle) => unknown): FileSystem {
  return {
    ...fsp,
    open: (async (p: string, flags?: string | number, mode?: number) => {
      const fh = await fsp.open(p, flags, mode);
      if (!String(p).includes(match)) return fh;
      const replaced = override(fh);
      return new Proxy(fh, {
        get(target, key) {
          if (key === method) return replaced;
          const v = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    }) as FileSystem['open'],
  };
}

/**
 * The real file system, except that writes to files whose path contains `match` fail with
 * `code` once `limit` bytes have been written to them (a disk filling up, simulated at the
 * fs layer for machines where a small tmpfs cannot be mounted).
 */
export function failingWrites(match: string, limit: number, code = 'ENOSPC'): FileSystem {
  let written = 0;
  return overridingHandles(match, 'writev', (fh) => async (bufs: Buffer[], pos?: number) => {
    let n = 0;
    for (const b of bufs) n += b.length;
    if (written + n > limit) throw sysError(code, 'write');
    written += n;
    return fh.writev(bufs, pos);
  });
}

/** The real file system, except that opening paths containing `match` fails with `code`. */
export function failingOpen(match: string, code = 'EACCES'): FileSystem {
  return {
    ...fsp,
    open: (async (p: string, flags?: string | number, mode?: number) => {
      if (String(p).includes(match)) throw sysError(code, 'open');
      return fsp.open(p, flags, mode);
    }) as FileSystem['open'],
  };
}
