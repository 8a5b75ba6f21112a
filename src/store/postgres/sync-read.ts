import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import { displayName, readJsonFile } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Article } from '../../model/types.js';
import { articleRow, contentHash, unstorableProblems, type ArticleRow } from './rows.js';

/** An ArticleError as plain fields: what crosses between threads (an Error loses its own fields when cloned). */
export interface PlainError {
  readonly file: string;
  readonly field: string | undefined;
  readonly problem: string;
}

/** What sync made of one article file. */
export interface SyncRead {
  readonly name: string;
  readonly shownAs: string;
  /** contentHash of the site language and the file's bytes; "" when the file could not be read. */
  readonly hash: string;
  /** The hash equals the stored row's: the file was not parsed, its row stays as it is. */
  readonly unchanged: boolean;
  /** Validated, body sanitised (a plain string): ready to store. */
  readonly article?: Article;
  /** The article's row, built here (its ETag hash and JSON shape cost as much as the parse): ready to COPY. */
  readonly row?: ArticleRow;
  readonly errors: readonly PlainError[];
  readonly warnings: readonly PlainError[];
}

/** What a reading thread needs: the folder, the default language, and the stored hash of each file sync wrote before. */
export interface SyncReadJob {
  readonly dataDir: string;
  readonly names: readonly string[];
  readonly language: string;
  readonly maxBytes: number;
  /** File name → stored content hash. */
  readonly known: Readonly<Record<string, string>>;
}

/** Files per chunk: one chunk is one transaction of the sync, and the unit threads take work in. */
export const SYNC_CHUNK = 500;
/**
 * Chunks reading threads may run ahead of the database writes. Without a
 * bound, threads that parse faster than the database writes hold the whole
 * corpus in memory (2.1 GB resident at 100,000 articles); four chunks is
 * enough to keep the writer busy.
 */
export const SYNC_READ_AHEAD = 4;

const plain = (e: ArticleError): PlainError => ({ file: e.file, field: e.field, problem: e.problem });

/**
 * Reads one article file for sync. An unchanged file (same hash as stored)
 * is hashed but not parsed. A changed one is read and validated exactly as
 * the loader reads a file at start (readJsonFile, parseArticle: the same
 * messages), its body sanitised here, once.
 */
export function readForSync(job: SyncReadJob, name: string): SyncRead {
  const path = join(job.dataDir, ARTICLES_DIR, name);
  const shownAs = displayName(job.dataDir, ARTICLES_DIR, name);
  let hash = '';
  try {
    // Oversized files are left to readJsonFile, which refuses them without reading; so is anything but a
    // regular file: reading a FIFO named like an article waited forever for a writer and hung the sync.
    const stat = statSync(path);
    if (stat.isFile() && stat.size <= job.maxBytes) hash = contentHash(job.language, readFileSync(path));
  } catch {
    // Unreadable or gone: readJsonFile below reports it as the loader would.
  }
  if (hash !== '' && job.known[name] === hash) return { name, shownAs, hash, unchanged: true, errors: [], warnings: [] };
  const read = readJsonFile(job.dataDir, path, shownAs, job.maxBytes);
  if (!read.ok) return { name, shownAs, hash, unchanged: false, errors: [plain(read.error)], warnings: [] };
  const parsed = parseArticle(read.value, shownAs, { language: job.language });
  const warnings = parsed.warnings.map(plain);
  if (parsed.article === undefined) return { name, shownAs, hash, unchanged: false, errors: parsed.errors.map(plain), warnings };
  const unstorable = unstorableProblems(read.value, parsed.article, shownAs);
  if (unstorable.length > 0) return { name, shownAs, hash, unchanged: false, errors: unstorable.map(plain), warnings };
  return { name, shownAs, hash, unchanged: false, article: parsed.article, row: articleRow(parsed.article, read.value, hash, name), errors: [], warnings };
}

export function readSyncChunk(job: SyncReadJob, chunk: number): SyncRead[] {
  return job.names.slice(chunk * SYNC_CHUNK, (chunk + 1) * SYNC_CHUNK).map((name) => readForSync(job, name));
}

export function errorOf(e: PlainError): ArticleError {
  return new ArticleError(e.file, e.field, e.problem);
}
