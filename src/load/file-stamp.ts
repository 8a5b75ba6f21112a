import { lstatSync, statSync } from 'node:fs';
import { versionStamp } from './files.js';

/**
 * The version of the file at `path` as the reloader compares it; undefined
 * when there is no file. A link to a missing file is a file too (its own
 * version, marked dangling): it must be read and reported in /healthz, and
 * its stamp changes when the target appears, so it is read again then.
 */
export function fileStamp(path: string): string | undefined {
  try {
    return versionStamp(statSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return danglingStamp(path);
    if (code === 'ENOTDIR') return undefined;
    return `error:${code ?? 'unknown'}`;
  }
}

function danglingStamp(path: string): string | undefined {
  try {
    const link = lstatSync(path);
    return link.isSymbolicLink() ? `dangling:${versionStamp(link)}` : undefined;
  } catch {
    return undefined;
  }
}
