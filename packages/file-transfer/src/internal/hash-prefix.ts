import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { SizeMismatchError } from '../errors.js';

const BLOCK = 1 << 20;

/**
 * Feed bytes [0, length) of an open file into `hash`, one 1 MiB block at a time (bounded
 * memory). This is how a resumed transfer continues its SHA-256: Node cannot serialize a hash
 * state, so the prefix already on disk is hashed again — which also verifies it.
 */
export async function hashPrefix(fh: FileHandle, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  const buf = Buffer.allocUnsafe(Math.min(BLOCK, length));
  let pos = 0;
  while (pos < length) {
    const want = Math.min(buf.length, length - pos);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) throw new SizeMismatchError(`file shrank while hashing its first ${length} bytes`);
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}
