/**
 * The files backend's first load: every article file, parsed, as fast as
 * a restart allows. With a persisted index (record-index.ts), only the
 * files whose version (size, mtime, ctime, inode) differs from the indexed
 * one, and the files the index does not hold, are read; the others are
 * taken from the index. Without one, every file is read on several threads
 * (parallel-load.ts).
 */
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARTICLES_DIR, BODIES_ON_DISK_FROM, fileBodySource, type BodyStorage } from '../../load/load-data.js';
import { displayName, MAX_RECORD_BYTES, sameVersion } from '../../load/files.js';
import { loadArticleFilesInParallel } from '../../load/parallel-load.js';
import type { LoadMemo } from '../../load/load-memo.js';
import { removeStaleTempFilesNamed } from '../../load/write.js';
import type { Site } from '../../model/types.js';
import type { FileRecord } from '../snapshot.js';
import type { IndexedRecord } from './index-codec.js';
import { listVersions } from './list-versions.js';
import { INDEX_COLUMNS } from './index-codec.js';
import { INDEX_FORMAT, readRecordIndex, wirefeedVersion, type IndexIdentity } from './record-index.js';

export interface InitialLoadOptions {
  readonly dataDir: string;
  readonly site: Site;
  readonly maxBytes?: number;
  /** The persisted index file; undefined: no index (none is read). */
  readonly indexFile?: string;
  /** Where bodies live (see BodyStorage); default: on disk from BODIES_ON_DISK_FROM files. The index is used only with `disk`: it holds no bodies. */
  readonly bodies?: BodyStorage;
  readonly threads?: number;
  readonly log: (line: string) => void;
  /** Called as files are read or restored, with how many more, and the total once known. */
  readonly onProgress?: (files: number, total: number) => void;
  /** The store's memo (load-memo.ts): its bodies cache serves every article loaded here. */
  readonly memo: LoadMemo;
}

export interface InitialLoad {
  /** Every article file's record, in name order. */
  readonly records: readonly FileRecord[];
  readonly bodies: BodyStorage;
  /** What the index must match to be used, and what a new one is written for. */
  readonly identity: IndexIdentity;
  /** Records taken from the index, files read, and indexed files that are gone. */
  readonly restored: number;
  readonly read: number;
  readonly vanished: number;
  /** Whether the index on disk describes `records` exactly (no rewrite needed). */
  readonly indexCurrent: boolean;
}

/** The identity of the index for this data folder and site (see IndexIdentity). */
function indexIdentity(dataDir: string, site: Site, maxBytes: number): IndexIdentity {
  let articlesDir = resolve(dataDir, ARTICLES_DIR);
  try {
    articlesDir = realpathSync(articlesDir);
  } catch {
    // No articles folder yet: nothing to restore either way.
  }
  return { format: INDEX_FORMAT, columns: INDEX_COLUMNS, wirefeed: wirefeedVersion(), dataDir: resolve(dataDir), articlesDir, language: site.language, maxBytes };
}

/** Loads every article file, from the index where its entry is still the file's version. */
export async function loadInitialRecords(options: InitialLoadOptions): Promise<InitialLoad> {
  const { dataDir, site, log } = options;
  const maxBytes = options.maxBytes ?? MAX_RECORD_BYTES;
  const identity = indexIdentity(dataDir, site, maxBytes);
  // displayName once, not per file: the names of 100,000 files share their folder.
  const folder = displayName(dataDir, ARTICLES_DIR);
  const shownAs = (name: string): string => `${folder}/${name}`;
  // The listing and its stats run on a thread while the index is read here.
  const listing = listVersions(join(dataDir, ARTICLES_DIR));
  const indexRead = options.indexFile === undefined ? undefined : readRecordIndex(options.indexFile, identity, shownAs, (name, version) => fileBodySource(dataDir, name, version, options.memo.bodies));
  const { names, version, tempFiles } = await listing;
  const stale = removeStaleTempFilesNamed(join(dataDir, ARTICLES_DIR), tempFiles);
  if (stale > 0) log(`load: removed ${stale} temp file(s) left by interrupted writes`);
  const bodies: BodyStorage = options.bodies ?? (names.length >= BODIES_ON_DISK_FROM ? 'disk' : 'memory');
  const progress = (files: number): void => options.onProgress?.(files, names.length);

  const index = await indexRead;
  const indexed = new Map<string, IndexedRecord>();
  if (index !== undefined && bodies === 'disk') {
    if (index.ok) for (const record of index.records) indexed.set(record.name, record);
    else log(`load: not using the article index: ${index.problem}; reading every file (a new index is written once loaded)`);
  }

  const records = new Array<FileRecord | undefined>(names.length);
  const toRead: string[] = [];
  const positions: number[] = [];
  let restored = 0;
  let stillThere = 0;
  names.forEach((name, i) => {
    const entry = indexed.get(name);
    if (entry !== undefined) stillThere += 1;
    const current = version(i);
    // Never a stale entry: only the exact version the index parsed is taken from it.
    if (entry !== undefined && current !== undefined && sameVersion(entry.version, current)) {
      records[i] = { name, shownAs: entry.article.source, article: entry.article, version: entry.version, errors: [], warnings: entry.warnings };
      restored += 1;
    } else {
      toRead.push(name);
      positions.push(i);
    }
  });
  progress(restored);
  const vanished = indexed.size - stillThere;

  const fresh = toRead.length === 0 ? [] : await loadArticleFilesInParallel(dataDir, site, { names: toRead, bodies, maxBytes, onRead: progress, memo: options.memo, ...(options.threads === undefined ? {} : { threads: options.threads }) });
  fresh.forEach((record, k) => (records[positions[k] as number] = record));
  const rejected = fresh.filter((r) => r.errors.length > 0).length;
  return {
    records: records as FileRecord[],
    bodies,
    identity,
    restored,
    read: fresh.length,
    vanished,
    // Rejected files are never indexed, so reading them again changes nothing the index holds.
    indexCurrent: index?.ok === true && fresh.length === rejected && vanished === 0,
  };
}
