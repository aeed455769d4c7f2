// Small filesystem steps with the fsyncs that make them survive a power cut.
import { copyFile, link, open, readFile, rename, unlink } from 'node:fs/promises';

export const isErrno = (e: unknown, ...codes: string[]): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && codes.includes(String(e.code));

/** The file's text, or null when it does not exist. */
export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
}

/** Writes the whole file and flushes it to the disk before resolving. */
export async function writeFileSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes renames, links and new files in `dir` durable. A no-op where directories cannot be opened (Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (e) {
    if (process.platform === 'win32' && isErrno(e, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (!isErrno(e, 'EINVAL', 'EPERM', 'EBADF')) throw e;
  } finally {
    await handle.close();
  }
}

export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
  }
}

/**
 * Makes `dest` a complete copy of `src` without a moment where `dest` is missing or partial:
 * a hard link (no bytes copied) or, where links are not supported, a synced copy, staged as
 * `staging` and renamed over `dest`. Returns false when `src` does not exist.
 */
export async function replaceWithCopy(src: string, dest: string, staging: string): Promise<boolean> {
  await unlinkIfExists(staging);
  try {
    await link(src, staging);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    if (!isErrno(e, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV', 'ENOSYS')) throw e;
    try {
      await copyFile(src, staging);
    } catch (e2) {
      if (isErrno(e2, 'ENOENT')) return false;
      throw e2;
    }
    const handle = await open(staging, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await rename(staging, dest);
  return true;
}
