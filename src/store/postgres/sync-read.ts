import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import { displayName, readJsonFile } from '../../load/files.js';
import { createLoadMemo, type LoadMemo } from '../../load/load-memo.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Article } from '../../model/types.js';
import { ARTICLE_TYPES, articleCopyValues, CopyRows, ENTRY_TYPES, type CopyValue } from './copy-binary.js';
import { contentHash } from './rows.js';

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
  /**
   * Validated, without its body: what the writer needs to record the change
   * (the feeds the article is in). The body, sanitised, travels in `copy`.
   */
  readonly article?: Omit<Article, 'body'>;
  /**
   * The article's row and its feed entries' rows in COPY's binary format
   * (copy-binary.ts), built on the thread that parsed it: the writing
   * thread only moves these bytes to the database. Views into two buffers
   * per chunk (articles, entries), which cross threads by transfer, not by
   * copy.
   */
  readonly copy?: { readonly article: Uint8Array; readonly entries: Uint8Array };
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

/** One chunk of files read: what a reading thread posts, with `buffers` (every read's `copy` is a view into them) transferred. */
export interface SyncChunk {
  readonly reads: readonly SyncRead[];
  readonly buffers: readonly ArrayBuffer[];
}

/**
 * A reader of chunks for one thread: readSyncChunk(job, chunk) without the
 * garbage. It keeps, from file to file, one buffer the files are read into
 * to be hashed, and two the chunk's COPY rows are encoded into as each
 * article is made, so that neither a fresh buffer per file nor a chunk's
 * worth of row strings outlives the article. Both had made the garbage
 * collector copy and promote megabytes per chunk (100,000 files: 16
 * full collections and a scavenge every 90 files).
 */
export function createChunkReader(job: SyncReadJob): (chunk: number) => SyncChunk {
  // One per reading thread for the whole sync: folders resolved, slugs and zone names checked once (a fresh
  // memo per record cost about 85 µs a file, a third more).
  const memo = createLoadMemo();
  let readBuffer = Buffer.allocUnsafeSlow(256 * 1024);
  const articleRows = new CopyRows(8 * 1024 * 1024);
  const entryRows = new CopyRows();

  /** contentHash of the file at `path`, or "" when it is not a regular file of at most maxBytes (readJsonFile then says why). */
  const hashFile = (path: string): string => {
    let fd: number | undefined;
    try {
      // O_NONBLOCK: a FIFO named like an article opens at once (and is no regular file) instead of waiting for a writer.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > job.maxBytes) return '';
      if (readBuffer.length < stat.size) readBuffer = Buffer.allocUnsafeSlow(Math.max(stat.size, readBuffer.length * 2));
      let size = 0;
      for (let n = -1; n !== 0 && size < stat.size; size += n) n = readSync(fd, readBuffer, size, stat.size - size, size);
      return contentHash(job.language, readBuffer.subarray(0, size));
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };

  return (chunk) => {
    articleRows.clear();
    entryRows.clear();
    const made = job.names.slice(chunk * SYNC_CHUNK, (chunk + 1) * SYNC_CHUNK).map((name) => {
      let span: [number, number, number, number] | undefined;
      const read = readForSync(job, memo, name, hashFile, (article, entries) => {
        const [articleStart, entriesStart] = [articleRows.length, entryRows.length];
        articleRows.row(article, ARTICLE_TYPES);
        for (const entry of entries) entryRows.row(entry, ENTRY_TYPES);
        span = [articleStart, articleRows.length, entriesStart, entryRows.length];
      });
      return { read, span };
    });
    // The chunk's bytes, copied out exactly: the buffers that cross to the writer hold nothing else.
    const [articles, entries] = [articleRows.take(), entryRows.take()];
    return {
      reads: made.map(({ read, span }) => {
        if (span === undefined) return read;
        const [a, b, c, d] = span;
        return { ...read, copy: { article: articles.subarray(a, b), entries: entries.subarray(c, d) } };
      }),
      buffers: [articles.buffer, entries.buffer],
    };
  };
}

/**
 * Reads one article file for sync. An unchanged file (same hash as stored)
 * is hashed but not parsed. A changed one is read and validated exactly as
 * the loader reads a file at start (readJsonFile, parseArticle: the same
 * messages), its body sanitised here, once, and its COPY values handed to
 * `emit` (the caller encodes them and fills in `copy`).
 */
function readForSync(job: SyncReadJob, memo: LoadMemo, name: string, hashFile: (path: string) => string, emit: (article: CopyValue[], entries: CopyValue[][]) => void): Omit<SyncRead, 'copy'> {
  const path = join(job.dataDir, ARTICLES_DIR, name);
  const shownAs = displayName(job.dataDir, ARTICLES_DIR, name);
  // Oversized files are left to readJsonFile, which refuses them without reading; so is anything but a
  // regular file: reading a FIFO named like an article waited forever for a writer and hung the sync.
  const hash = hashFile(path);
  if (hash !== '' && job.known[name] === hash) return { name, shownAs, hash, unchanged: true, errors: [], warnings: [] };
  const read = readJsonFile(job.dataDir, path, shownAs, job.maxBytes, undefined, memo.files);
  if (!read.ok) return { name, shownAs, hash, unchanged: false, errors: [plain(read.error)], warnings: [] };
  const parsed = parseArticle(read.value, shownAs, { language: job.language, memo });
  const warnings = parsed.warnings.map(plain);
  if (parsed.article === undefined) return { name, shownAs, hash, unchanged: false, errors: parsed.errors.map(plain), warnings };
  // The record is in its canonical form (decodeJson), so nothing in it is what text or jsonb refuse (U+0000,
  // lone surrogates); the row keeps the file's text, byte for byte, as the files backend keeps the file.
  const values = articleCopyValues(parsed.article, read.value, read.text as string, hash, name, memo.slugs.slugify);
  emit(values.article, values.entries);
  const { body: _body, ...article } = parsed.article;
  return { name, shownAs, hash, unchanged: false, article, errors: [], warnings };
}

export function errorOf(e: PlainError): ArticleError {
  return new ArticleError(e.file, e.field, e.problem);
}
