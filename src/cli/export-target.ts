import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The export's output folder cannot be used; exit code 2 with this one line (the argument is wrong, nothing was written). */
export class ExportTargetError extends Error {
  override name = 'ExportTargetError';
}

/** The path with links resolved as far as it exists, the rest (folders export will create) appended as given. */
function realPathOf(path: string): { real: string; existing: string } {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return { real: join(realpathSync(existing), ...rest), existing };
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return { real: path, existing };
      rest.unshift(existing.slice(parent.length).replace(/^[/\\]/, ''));
      existing = parent;
    }
  }
}

/** `inner` is `outer` or a path inside it (both resolved). */
function isWithin(inner: string, outer: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}

/**
 * Checks the folder `wirefeed export` writes to, before anything is
 * written, and returns it resolved: it must be a folder (or not exist yet,
 * under a folder), writable, and apart from DATA_DIR. Checked up front
 * because the failures came late and loud: a regular file or `/proc/1` gave
 * an errno stack trace (and Node's recursive mkdir under `/proc/1` never
 * returns), and an export into DATA_DIR wrote index.html and tags/ among
 * the records without a word.
 */
export function checkExportTarget(outDir: string, dataDir: string): string {
  const target = resolve(outDir);
  const { real, existing } = realPathOf(target);
  const stat = statSync(existing, { throwIfNoEntry: false });
  if (stat !== undefined && !stat.isDirectory()) {
    throw new ExportTargetError(existing === target ? `${outDir} is a file, not a folder: give a folder to write the export to` : `${outDir} cannot be made: ${existing} is a file, not a folder`);
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    throw new ExportTargetError(`cannot write to ${existing} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give a folder you may write to`);
  }
  const data = realPathOf(resolve(dataDir)).real;
  if (isWithin(real, data) || isWithin(data, real)) {
    const how = real === data ? 'is' : isWithin(real, data) ? 'is inside' : 'holds';
    throw new ExportTargetError(`${outDir} ${how} DATA_DIR (${dataDir}): the export would be written among the records; give a folder outside it`);
  }
  return target;
}
