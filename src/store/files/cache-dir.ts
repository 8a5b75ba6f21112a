/**
 * Where the persisted article index lives (CACHE_DIR): the configured
 * folder, or by default a hidden folder inside DATA_DIR (the loader ignores
 * hidden names), or a folder in the system temp folder when DATA_DIR cannot
 * be written to (a read-only volume, a container user without rights).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The default cache folder's name inside DATA_DIR. */
export const DEFAULT_CACHE_NAME = '.wirefeed-cache';

export type CacheDir = { readonly ok: true; readonly dir: string; readonly note?: string } | { readonly ok: false; readonly problem: string };

function usable(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? (error as Error).message : code;
  }
}

/** Finds (and creates) the cache folder; `configured` is CACHE_DIR when set. Never throws: without a folder the server runs without an index. */
export function resolveCacheDir(dataDir: string, configured: string | undefined, temp: string = tmpdir()): CacheDir {
  if (configured !== undefined) {
    const problem = usable(configured);
    return problem === undefined ? { ok: true, dir: configured } : { ok: false, problem: `CACHE_DIR ${configured} cannot be written to (${problem})` };
  }
  const inside = join(dataDir, DEFAULT_CACHE_NAME);
  const insideProblem = usable(inside);
  if (insideProblem === undefined) return { ok: true, dir: inside };
  // One folder per data folder, so two servers on two read-only folders keep apart.
  const fallback = join(temp, `wirefeed-cache-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}`);
  const fallbackProblem = usable(fallback);
  if (fallbackProblem === undefined) return { ok: true, dir: fallback, note: `${inside} cannot be written to (${insideProblem}); the article index is kept in ${fallback}` };
  return { ok: false, problem: `neither ${inside} (${insideProblem}) nor ${fallback} (${fallbackProblem}) can be written to` };
}
