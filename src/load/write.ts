import { randomInt } from 'node:crypto';
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Durable, atomic writes of record files. This module deliberately imports
 * nothing from the project so it can be run on its own (the kill-during-write
 * test runs it in a child process that is killed mid-write).
 */

/**
 * Name of the temp file a write goes through: `.<name>.tmp-<pid>-<n>`. The
 * leading dot (and the suffix after `.json`) keep the loader from ever
 * listing it, so a write interrupted by a crash leaves at most an ignored
 * temp file, never a torn record. `n` is random (48 bits), not a counter:
 * unique across every store writing in this process without any state
 * shared between them.
 */
export function tempFileName(name: string, pid = process.pid): string {
  return `.${name}.tmp-${pid}-${randomInt(2 ** 48 - 1)}`;
}

/** True for names `tempFileName` produces. */
export function isTempFileName(name: string): boolean {
  return /^\..+\.tmp-\d+-\d+$/.test(name);
}

/**
 * Replaces `dir/name` with `data` atomically and durably: the bytes go to a
 * temp file in the same directory (same file system, so the rename is
 * atomic), the file is fsynced, renamed over the target, and the directory
 * is fsynced so the rename itself survives a power cut. When the promise
 * resolves, the new content is on disk; readers see the old file or the new
 * one, never a mix. On failure the temp file is removed and the target is
 * untouched.
 */
export async function writeFileAtomic(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomicFrom(dir, name, [data]);
}

/**
 * writeFileAtomic for content made piece by piece (a large index written
 * while the server keeps answering): the same temp file, fsync, rename and
 * directory fsync, so readers still see the old file or the whole new one.
 */
export async function writeFileAtomicFrom(dir: string, name: string, chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): Promise<void> {
  const temp = await writeTempFile(dir, name, chunks);
  try {
    await rename(temp, join(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * writeFileAtomic that never replaces: the complete, fsynced temp file is
 * linked to `dir/name`, which fails with EEXIST when that name exists (also
 * when another process made it a moment before). Readers see no file or the
 * whole one. For files that must never be overwritten, such as versions.
 */
export async function writeFileExclusive(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTempFile(dir, name, [data]);
  try {
    await link(temp, join(dir, name));
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

/** The chunks in a fresh, fsynced temp file beside `dir/name`; returns its path. */
async function writeTempFile(dir: string, name: string, chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, tempFileName(name));
  const handle = await open(temp, 'wx', 0o644);
  try {
    // writeFile on a handle writes from the current position, to the end of the chunk.
    for await (const chunk of chunks) await handle.writeFile(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

/** Deletes `dir/name` durably. False when there was no such file. */
export async function removeFileDurable(dir: string, name: string): Promise<boolean> {
  try {
    await unlink(join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await syncDirectory(dir);
  return true;
}

/** fsync on a directory makes the entries created, renamed or removed in it durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and platforms) refuse fsync on a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files a killed writer left behind (only names `tempFileName`
 * makes, and only when older than `olderThanMs`, so a write in progress in
 * another process is never pulled from under it). Returns how many went.
 */
export function removeStaleTempFiles(dir: string, olderThanMs = 60 * 60 * 1000, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  return removeStaleTempFilesNamed(dir, names, olderThanMs, now);
}

/** removeStaleTempFiles over names already listed (a listing of 100,000 names is not made twice). */
export function removeStaleTempFilesNamed(dir: string, names: readonly string[], olderThanMs = 60 * 60 * 1000, now = Date.now()): number {
  let removed = 0;
  for (const name of names) {
    if (!isTempFileName(name)) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs < olderThanMs) continue;
      unlinkSync(join(dir, name));
      removed += 1;
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
