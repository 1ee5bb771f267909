import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as path from 'node:path';
import { BadPathError, NotAFileError, NotFoundError, fromFsError } from '../errors.js';
import type { FileSystem } from '../file-system.js';
import { RESERVED_FOLDER } from '../remote-name.js';

/**
 * The server's root folder and every path computed under it. Names arrive already checked by
 * `parseRemoteName` (no `..`, no absolute paths); this class adds the check a pure function
 * cannot do: following symbolic links, the real path must stay inside the real root.
 *
 * A check-then-use race (a symlink swapped in between) is narrowed, not closed: the parent's
 * real path is checked again right before a rename. Roots shared with hostile local users
 * need OS-level isolation on top.
 */
export class RootFolder {
  private constructor(
    readonly fs: FileSystem,
    /** Real (symlink-free) absolute path of the root. */
    readonly real: string,
  ) {}

  /** Resolve the root (it must exist and be a folder) and create the partials folder. */
  static async open(fs: FileSystem, root: string): Promise<RootFolder> {
    let real: string;
    try {
      real = await fs.realpath(path.resolve(root));
      const st = await fs.stat(real);
      if (!st.isDirectory()) throw new NotAFileError(`root ${root} is not a folder`);
    } catch (err) {
      throw fromFsError(err, `root ${root}`);
    }
    const r = new RootFolder(fs, real);
    try {
      // Create ROOT/.iocp-ft/partial one level at a time; a symlink planted at either level
      // (which could point outside the root) is refused before anything is created through it.
      for (const dir of [path.dirname(r.partialsDir), r.partialsDir]) {
        const st = await fs.lstat(dir).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined;
          throw err;
        });
        if (st === undefined) await fs.mkdir(dir);
        else if (st.isSymbolicLink() || !st.isDirectory()) {
          throw new BadPathError(`${dir} must be a real folder inside the root (found a symbolic link or a file)`);
        }
      }
    } catch (err) {
      throw fromFsError(err, `root ${root}`);
    }
    return r;
  }

  /** Folder that holds partial uploads (same file system as the root, so rename is atomic). */
  get partialsDir(): string {
    return path.join(this.real, RESERVED_FOLDER, 'partial');
  }

  /** Where the partial upload of `name` lives: one fixed file per name, so resume finds it. */
  partialPath(name: string): string {
    return path.join(this.partialsDir, `${createHash('sha256').update(name).digest('hex')}.part`);
  }

  /** True when `p` (a real path) is the root or inside it. */
  contains(p: string): boolean {
    return p === this.real || p.startsWith(this.real + path.sep);
  }

  private async realInside(p: string, name: string): Promise<string> {
    const real = await this.fs.realpath(p);
    if (!this.contains(real)) throw new BadPathError(`${name} leads outside the root`);
    return real;
  }

  /**
   * Real path of an existing entry, for reading. Symlinks are followed and must end inside the
   * root. @throws NotFoundError, BadPathError
   */
  async resolveExisting(segments: readonly string[], name: string): Promise<string> {
    try {
      return await this.realInside(path.join(this.real, ...segments), name);
    } catch (err) {
      throw fromFsError(err, name);
    }
  }

  /**
   * Prepare to publish `segments`: create missing parent folders one by one (each existing one
   * checked through its real path), refuse a final name that is a folder.
   *
   * @returns the absolute final path (parent resolved to its real path)
   */
  async prepareTarget(segments: readonly string[], name: string): Promise<string> {
    let dir = this.real;
    try {
      for (let i = 0; i < segments.length - 1; i++) {
        const next = path.join(dir, segments[i]!);
        try {
          await this.fs.mkdir(next);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        dir = await this.realInside(next, name);
        const st = await this.fs.stat(dir);
        if (!st.isDirectory()) throw new BadPathError(`${name}: '${segments.slice(0, i + 1).join('/')}' is not a folder`);
      }
      const target = path.join(dir, segments[segments.length - 1]!);
      const st = await this.fs.lstat(target).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (st?.isDirectory()) throw new NotAFileError(`${name} is a folder`);
      return target;
    } catch (err) {
      throw fromFsError(err, name);
    }
  }

  /** Re-check, right before a rename, that the target's parent still resolves inside the root. */
  async recheckParent(target: string, name: string): Promise<void> {
    try {
      const real = await this.realInside(path.dirname(target), name);
      if (real !== path.dirname(target)) throw new BadPathError(`${name}: a parent folder changed during the upload`);
    } catch (err) {
      throw fromFsError(err, name);
    }
  }

  /**
   * Path of an entry to delete: its parent must resolve inside the root; the entry itself is
   * not followed (deleting a symlink removes the link, never its target).
   */
  async resolveForDelete(segments: readonly string[], name: string): Promise<string> {
    try {
      const parent = await this.realInside(path.join(this.real, ...segments.slice(0, -1)), name);
      const target = path.join(parent, segments[segments.length - 1]!);
      const st = await this.fs.lstat(target);
      if (st.isDirectory()) throw new NotAFileError(`${name} is a folder`);
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${name}: not found`, { cause: err });
      throw fromFsError(err, name);
    }
  }
}

/** Open flags for a partial: read and write, create if missing, never follow a symlink. */
export const PARTIAL_OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;
