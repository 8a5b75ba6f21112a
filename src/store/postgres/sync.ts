import { join } from 'node:path';
import { ArticleError, LAST_GOOD_NOTE } from '../../load/errors.js';
import { listJsonFiles, MAX_RECORD_BYTES } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Article, Site } from '../../model/types.js';
import { inTransaction, type Client, type Pool } from './pool.js';
import { readTranslationWarnings } from './read-queries.js';
import { errorOf, SYNC_CHUNK } from './sync-read.js';
import { readFolderForSync } from './sync-threads.js';
import { copyArticles, deleteArticles, lockArticles, recordChange, replaceReports, type CopyBatch, type FileReport } from './writes.js';

export interface SyncOptions {
  /** The data folder: DIR/articles/*.json are synced. */
  readonly dataDir: string;
  /** site.json of the data folder: its language is the default of records without one. */
  readonly site: Site;
  /** Delete rows sync wrote from files that are gone. */
  readonly prune?: boolean;
  readonly maxBytes?: number;
  /** Reading threads (default: one per core but one, at most 3; the main thread feeds the database). 0: the main thread reads. */
  readonly threads?: number;
  /** Progress lines on long runs. */
  readonly progress?: (line: string) => void;
  /** Milliseconds between progress lines (default 2000). */
  readonly progressEveryMs?: number;
}

export interface SyncReport {
  readonly files: number;
  /** Articles inserted or updated. */
  readonly written: number;
  /** Files skipped because their content hash is unchanged. */
  readonly unchanged: number;
  /** Rows deleted: their file is gone (--prune), or it now holds another id. */
  readonly deleted: number;
  /** Files that yielded no article, with every reason, as the loader reports them. */
  readonly rejected: readonly ArticleError[];
  readonly warnings: readonly ArticleError[];
  readonly seconds: number;
}

/**
 * Chunks written at once, each in its own transaction on its own
 * connection. One writer left the database's share of a first load (COPY,
 * jsonb, indexes: about 0.28 ms an article) on one core as the step
 * everything else waited for; two let it use both.
 */
const SYNC_WRITERS = 2;

interface StoredFile {
  readonly id: string;
  readonly hash: string;
}

/**
 * Loads a folder of article files into the database: every file read and
 * validated as the loader does; unchanged files (same content hash) skipped;
 * changed ones updated; one transaction and one change (sequence, outbox,
 * NOTIFY) per chunk of 500 files. Ids taken by two files are settled in
 * file-name order, as at start. A file that turns invalid keeps its last
 * good version in the feeds (as the files backend's reloader keeps it) and
 * is reported. Rejections and warnings replace the last run's, per file,
 * in sync_reports for /healthz.
 */
export async function syncFolder(pool: Pool, options: SyncOptions): Promise<SyncReport> {
  const started = Date.now();
  const { dataDir, site } = options;
  const names = listJsonFiles(join(dataDir, ARTICLES_DIR));
  // Plan: Index Scan using articles_file (file IS NOT NULL).
  const stored = await pool.query<{ id: string; file: string; content_hash: string }>('SELECT id, file, content_hash FROM articles WHERE file IS NOT NULL');
  const byFile = new Map<string, StoredFile>(stored.rows.map((row) => [row.file, { id: row.id, hash: row.content_hash }]));
  const known: Record<string, string> = {};
  for (const [file, row] of byFile) known[file] = row.hash;
  // A table the planner has no statistics for (never analyzed: a first load) gets them after the first chunk.
  // Without them every statement that finds a chunk's ids (the lock, the first-load check, the translation
  // groups) read the whole table instead of its indexes: 600 sequential scans and a fifth of the database's
  // time in a 100,000-file sync, growing with the square of the size. From 500 rows on they stay right.
  const unplanned = await pool.query<{ blind: boolean }>("SELECT reltuples < $1 AS blind FROM pg_class WHERE oid = 'articles'::regclass", [SYNC_CHUNK]);
  let blind = unplanned.rows[0]?.blind === true;

  const job = { dataDir, names, language: site.language, maxBytes: options.maxBytes ?? MAX_RECORD_BYTES, known };
  const taken = new Map<string, string>();
  const rejected: ArticleError[] = [];
  const warnings: ArticleError[] = [];
  let written = 0;
  let unchanged = 0;
  let deleted = 0;
  let done = 0;
  let lastProgress = started;
  const everyMs = options.progressEveryMs ?? 2000;

  // Chunks being written, oldest first: at most SYNC_WRITERS at once, each in its own transaction.
  const writing: Promise<void>[] = [];
  try {
    for await (const chunk of readFolderForSync(job, options.threads)) {
      const ids: string[] = [];
      const articleRows: Uint8Array[] = [];
      const entryRows: Uint8Array[] = [];
      const articles: Omit<Article, 'body'>[] = [];
      const reports: { name: string; severity: 'rejected' | 'warning'; error: ArticleError }[] = [];
      const staleIds: string[] = [];
      const reread: string[] = [];
      for (const read of chunk) {
        const previous = byFile.get(read.name);
        // A file that turns invalid keeps its row (its last good version): said as the files backend says it.
        const lastGood = !read.unchanged && read.article === undefined && previous !== undefined;
        const fileRejected = read.errors.map((e) => (lastGood ? new ArticleError(e.file, e.field, `${e.problem} (${LAST_GOOD_NOTE})`) : errorOf(e)));
        const fileWarnings = read.warnings.map(errorOf);
        const id = read.unchanged ? previous?.id : read.article?.id;
        if (id !== undefined) {
          const first = taken.get(id);
          if (first !== undefined) {
            // Same message as buildSnapshot's: the first file in name order keeps the id.
            fileRejected.push(new ArticleError(read.shownAs, 'id', `${JSON.stringify(id)} is already used by ${first}; ids must be unique`));
          } else {
            taken.set(id, read.shownAs);
            if (read.unchanged) unchanged += 1;
            else if (read.article !== undefined && read.copy !== undefined) {
              ids.push(id);
              articleRows.push(read.copy.article);
              entryRows.push(read.copy.entries);
              articles.push(read.article);
              // The file held another article before: that one is gone, as it would be from the files backend.
              if (previous !== undefined && previous.id !== id) staleIds.push(previous.id);
            }
          }
        }
        rejected.push(...fileRejected);
        warnings.push(...fileWarnings);
        // A skipped file's reports stay as stored, unless this run found a new problem with it (its id taken).
        if (!read.unchanged || fileRejected.length > 0) {
          reread.push(read.name);
          for (const error of fileRejected) reports.push({ name: read.name, severity: 'rejected', error });
          for (const error of fileWarnings) reports.push({ name: read.name, severity: 'warning', error });
        }
      }
      // An id a file holds now (in this chunk or an earlier one, already written) is not stale: only the rest go.
      const stale = staleIds.filter((id) => !taken.has(id));
      const write = writeChunk(pool, { ids, articleRows, entryRows }, articles, stale, reread, reports).then(async (n) => {
        deleted += n;
        if (blind && ids.length > 0) {
          blind = false;
          await pool.query('ANALYZE articles, feed_entries');
        }
      });
      write.catch(() => undefined);
      writing.push(write);
      // SYNC_WRITERS chunks written at once while the next are read and sanitised.
      if (writing.length >= SYNC_WRITERS) await writing.shift();
      written += ids.length;
      done += chunk.length;
      if (options.progress !== undefined && Date.now() - lastProgress >= everyMs) {
        lastProgress = Date.now();
        const seconds = (lastProgress - started) / 1000;
        options.progress(`sync: ${done}/${names.length} files, ${written} written, ${unchanged} unchanged, ${rejected.length} problems (${Math.round(done / seconds)} files/s)`);
      }
    }
  } finally {
    // On failure too: no write may still be running when the caller closes the pool.
    const settled = await Promise.allSettled(writing);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
  const present = new Set(names);
  const gone = [...byFile].filter(([file]) => !present.has(file));
  await inTransaction(pool, async (client) => {
    // Reports of files that are gone; the kept (unchanged) files keep theirs.
    await client.query('DELETE FROM sync_reports WHERE NOT (name = ANY($1::text[]))', [names]);
    if (options.prune && gone.length > 0) deleted += await removeFileRows(client, gone.map(([file]) => file));
  });
  // Fresh planner statistics after a bulk load: until autovacuum gets to it, the planner would guess at
  // row counts (and the feed statements' plans rely on index scans being the cheap way).
  if (written + deleted >= 1000) await pool.query('ANALYZE articles, feed_entries');
  // Warnings of skipped files are reported again, as the loader would print them: read back from their rows.
  const kept = await pool.query<{ severity: string; file: string; field: string | null; problem: string }>('SELECT severity, file, field, problem FROM sync_reports ORDER BY name, position');
  const all = kept.rows.map((row) => ({ severity: row.severity, error: new ArticleError(row.file, row.field ?? undefined, row.problem) }));
  return {
    files: names.length,
    written,
    unchanged,
    deleted,
    rejected: all.filter((r) => r.severity === 'rejected').map((r) => r.error),
    // Translation links are checked across files, as the loader checks them: after every file is in.
    warnings: [...all.filter((r) => r.severity === 'warning').map((r) => r.error), ...(await readTranslationWarnings(pool))],
    seconds: (Date.now() - started) / 1000,
  };
}

/** One chunk in one transaction: the upserts, stale rows deleted, the files' reports replaced, one change recorded. */
async function writeChunk(pool: Pool, batch: CopyBatch, articles: readonly Omit<Article, 'body'>[], staleIds: readonly string[], reread: readonly string[], reports: readonly FileReport[]): Promise<number> {
  if (batch.ids.length === 0 && staleIds.length === 0 && reread.length === 0) return 0;
  return inTransaction(pool, async (client) => {
    let deleted = 0;
    if (batch.ids.length > 0 || staleIds.length > 0) {
      const old = await lockArticles(client, [...batch.ids, ...staleIds]);
      await copyArticles(client, batch);
      deleted = (await deleteArticles(client, staleIds)).length;
      await recordChange(client, [...old.values(), ...articles], articles);
    }
    await replaceReports(client, reread, reports);
    return deleted;
  });
}

/**
 * Deletes the rows written from these (vanished) files and records the
 * change, in the caller's transaction. By file, not id: an id another file
 * took over in this run stays.
 */
async function removeFileRows(client: Client, files: readonly string[]): Promise<number> {
  // Plan: Index Scan using articles_file (file = ANY).
  const rows = await client.query<{ id: string }>('SELECT id FROM articles WHERE file = ANY($1::text[]) FOR UPDATE', [files]);
  const old = await lockArticles(client, rows.rows.map((row) => row.id));
  const removed = await deleteArticles(client, [...old.keys()]);
  if (removed.length > 0) await recordChange(client, old.values());
  return removed.length;
}
