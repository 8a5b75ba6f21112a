/**
 * The article files there are and the version of each (size, mtime, ctime,
 * inode): what a restart compares with the persisted index. At 100,000
 * files the listing and the stats take most of a second of one core, so a
 * thread does them while the main thread reads the index.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readdirSync } from 'node:fs';
import { isTempFileName } from '../../load/write.js';
import type { FileVersion } from '../../load/files.js';

/** Names in listing order, and per name its version: undefined when it could not be taken (gone, unreadable). */
export interface Listing {
  readonly names: readonly string[];
  readonly tempFiles: readonly string[];
  version(i: number): FileVersion | undefined;
}

/** What the thread posts back: four numbers per name (NaN when there is no version). */
export interface PostedListing {
  readonly names: string[];
  readonly versions: Float64Array;
  /** Temp files left by interrupted writes, found in the same listing (see removeStaleTempFiles). */
  readonly tempFiles: string[];
}

/**
 * Lists `*.json` in `articlesDir` as listJsonFiles does (not hidden, sorted)
 * and stats each, following links as the loader's fstat does. Temp files
 * seen in the same listing are returned too: listing 100,000 names twice
 * cost a quarter of a second.
 */
export function statListing(articlesDir: string): PostedListing {
  let all: string[];
  try {
    all = readdirSync(articlesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { names: [], versions: new Float64Array(0), tempFiles: [] };
    throw error;
  }
  const names = all.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const tempFiles = all.filter(isTempFileName);
  const versions = new Float64Array(names.length * 4).fill(NaN);
  names.forEach((name, i) => {
    try {
      const s = statSync(`${articlesDir}/${name}`);
      versions.set([s.size, s.mtimeMs, s.ctimeMs, s.ino], i * 4);
    } catch {
      // Gone or unreadable: no version, so it is read again and reported by the loader.
    }
  });
  return { names, versions, tempFiles };
}

function fromPosted({ names, versions, tempFiles }: PostedListing): Listing {
  return {
    names,
    tempFiles,
    version(i) {
      const size = versions[i * 4] as number;
      if (Number.isNaN(size)) return undefined;
      return { size, mtimeMs: versions[i * 4 + 1] as number, ctimeMs: versions[i * 4 + 2] as number, ino: versions[i * 4 + 3] as number };
    },
  };
}

/**
 * statListing on a thread of its own, so the main thread can meanwhile read
 * the index; on the main thread when the compiled thread script is not
 * there (running from TypeScript sources, as the tests do).
 */
export function listVersions(articlesDir: string): Promise<Listing> {
  const script = new URL('./list-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(script))) return Promise.resolve(fromPosted(statListing(articlesDir)));
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { articlesDir }, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    worker.once('message', (posted: PostedListing) => resolve(fromPosted(posted)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`file listing thread stopped with code ${code}`)));
  });
}
