import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary folder; remove it with `rm(dir)`. */
export async function tempDir(prefix = 'ft-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function rm(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

/** Write `size` pseudo-random bytes (random content catches offset bugs that zeros hide). */
export async function randomFile(file: string, size: number): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const fh = await fsp.open(file, 'w');
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, 1 << 20);
      await fh.write(randomBytes(n));
      left -= n;
    }
  } finally {
    await fh.close();
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

export async function exists(p: string): Promise<boolean> {
  return fsp.lstat(p).then(
    () => true,
    () => false,
  );
}
