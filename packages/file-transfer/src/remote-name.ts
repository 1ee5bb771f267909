import { BadPathError } from './errors.js';

/** Longest remote name accepted, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 1024;
/** Longest single segment accepted, in UTF-8 bytes (the common file-system limit). */
export const MAX_SEGMENT_BYTES = 255;
/** Folder under the server root that holds partial uploads; no remote name may enter it. */
export const RESERVED_FOLDER = '.iocp-ft';

// C0 controls, DEL and C1 controls. NUL is among them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE = /^[A-Za-z]:/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Check a remote name and split it into segments. A remote name is a relative path with `/` as
 * the only separator, e.g. `a/b/c.txt`. This is a pure function: it does not touch the disk
 * (symbolic links are checked by the server against the real root).
 *
 * Refused with `IOCP_ERR_FT_BAD_PATH`: empty names, absolute paths (`/x`, `C:x`), backslashes,
 * empty segments (`a//b`, `a/`), `.` and `..` segments, NUL and other control characters,
 * names over {@link MAX_NAME_BYTES} bytes or segments over {@link MAX_SEGMENT_BYTES} bytes,
 * and the reserved folder {@link RESERVED_FOLDER}.
 *
 * @returns the segments, e.g. `['a', 'b', 'c.txt']`
 */
export function parseRemoteName(name: string): string[] {
  if (typeof name !== 'string' || name.length === 0) throw new BadPathError('remote name is empty');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) throw new BadPathError(`remote name is ${bytes} bytes; the limit is ${MAX_NAME_BYTES}`);
  if (CONTROL.test(name)) throw new BadPathError('remote name contains NUL or a control character');
  if (name.includes('\\')) throw new BadPathError(`remote name contains a backslash: ${JSON.stringify(name)}`);
  if (name.startsWith('/')) throw new BadPathError(`remote name is absolute: ${JSON.stringify(name)}`);
  if (DRIVE.test(name)) throw new BadPathError(`remote name starts with a drive letter: ${JSON.stringify(name)}`);
  if (name.includes('\uFFFD') || LONE_SURROGATE.test(name)) throw new BadPathError('remote name is not valid Unicode');
  const segments = name.split('/');
  for (const s of segments) {
    if (s.length === 0) throw new BadPathError(`remote name has an empty segment: ${JSON.stringify(name)}`);
    if (s === '.' || s === '..') throw new BadPathError(`remote name has a '${s}' segment: ${JSON.stringify(name)}`);
    if (Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new BadPathError(`a segment of the remote name is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  if (segments[0] === RESERVED_FOLDER) throw new BadPathError(`'${RESERVED_FOLDER}' is reserved by the server`);
  return segments;
}

/** Like {@link parseRemoteName} but `''` (the root itself) is allowed and gives no segments. */
export function parseRemoteFolder(folder: string): string[] {
  if (folder === '') return [];
  return parseRemoteName(folder.endsWith('/') ? folder.slice(0, -1) : folder);
}
