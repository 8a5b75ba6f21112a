import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import { displayName, readJsonFile } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Article } from '../../model/types.js';
import { articleCopyText, type ArticleCopyText } from './copy-text.js';
import { contentHash, mayBeUnstorable, unstorableProblems } from './rows.js';

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
   * The article's COPY lines as UTF-8 (copy-text.ts), built on the thread
   * that parsed it: the writing thread only moves these bytes to the
   * database. Views into one buffer per chunk, which crosses threads by
   * transfer, not by copy.
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

/** readForSync's result before the chunk's lines are encoded: the lines as text. */
type SyncReadText = Omit<SyncRead, 'copy'> & { readonly text?: ArticleCopyText };

/**
 * Reads one article file for sync. An unchanged file (same hash as stored)
 * is hashed but not parsed. A changed one is read and validated exactly as
 * the loader reads a file at start (readJsonFile, parseArticle: the same
 * messages), its body sanitised here, once, and its COPY lines built.
 */
export function readForSync(job: SyncReadJob, name: string): SyncReadText {
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
  const text = articleCopyText(parsed.article, read.value, hash, name);
  // The JSON texts tell at once whether any string holds what the database refuses; only then is it looked for field by field.
  const unstorable = mayBeUnstorable(text.recordJson) || mayBeUnstorable(text.articleJson) ? unstorableProblems(read.value, parsed.article, shownAs) : [];
  if (unstorable.length > 0) return { name, shownAs, hash, unchanged: false, errors: unstorable.map(plain), warnings };
  const { body: _body, ...article } = parsed.article;
  return { name, shownAs, hash, unchanged: false, article, text, errors: [], warnings };
}

/** One chunk of files read: what a reading thread posts, with `buffer` (every read's `copy` is a view into it) transferred. */
export interface SyncChunk {
  readonly reads: readonly SyncRead[];
  readonly buffer: ArrayBuffer;
}

export function readSyncChunk(job: SyncReadJob, chunk: number): SyncChunk {
  const reads = job.names.slice(chunk * SYNC_CHUNK, (chunk + 1) * SYNC_CHUNK).map((name) => readForSync(job, name));
  // One buffer for the chunk, sized exactly: the lines are encoded into it once and it crosses to the writer by transfer.
  const lines = reads.flatMap((read) => (read.text === undefined ? [] : [read.text.article, read.text.entries]));
  const sizes = lines.map((line) => Buffer.byteLength(line));
  const buffer = new ArrayBuffer(sizes.reduce((sum, size) => sum + size, 0));
  const encoder = new TextEncoder();
  let at = 0;
  let line = 0;
  const encode = (): Uint8Array => {
    const view = new Uint8Array(buffer, at, sizes[line]);
    encoder.encodeInto(lines[line] as string, view);
    at += view.length;
    line += 1;
    return view;
  };
  return {
    reads: reads.map(({ text, ...read }) => (text === undefined ? read : { ...read, copy: { article: encode(), entries: encode() } })),
    buffer,
  };
}

export function errorOf(e: PlainError): ArticleError {
  return new ArticleError(e.file, e.field, e.problem);
}
