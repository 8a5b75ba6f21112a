import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Article, Site } from '../model/types.js';
import { attachLazyBody, parseArticleWithoutBody, sanitizedBodyOf } from './article.js';
import type { BodyCache, BodySource } from './lazy-body.js';
import { createLoadMemo, type LoadMemo } from './load-memo.js';
import { SiteError, type ArticleError } from './errors.js';
import { displayName, listJsonFiles, MAX_RECORD_BYTES, readJsonFile, readJsonFileVersion, type FileVersion } from './files.js';
import { parseSite, type SiteOverrides } from './site.js';
import type { FileRecord } from './file-record.js';

/** Where article records live inside the data directory. */
export const ARTICLES_DIR = 'articles';

/** Reads and validates `site.json`; throws SiteError (fail fast: nothing can be served without it). */
export function loadSite(dataDir: string, overrides: SiteOverrides): Site {
  const shownAs = displayName(dataDir, 'site.json');
  // Checked apart from a read that fails: "disappeared while it was being read" would mislead at start.
  if (!existsSync(join(dataDir, 'site.json'))) throw new SiteError(shownAs, ['does not exist; DATA_DIR must be the folder holding site.json and articles/']);
  const read = readJsonFile(dataDir, join(dataDir, 'site.json'), shownAs, 1024 * 1024);
  if (!read.ok) throw new SiteError(shownAs, [read.error.problem]);
  return parseSite(read.value, shownAs, overrides);
}

/**
 * What reading one article file yields before its body is attached: plain
 * data that can be posted between threads (see parallel-load.ts).
 */
export interface ArticleFileRead {
  readonly name: string;
  readonly shownAs: string;
  /** Present with `article`: the file version read (a body left on disk is read back from exactly it). */
  readonly version?: FileVersion;
  /** Present with `article` when its body is kept in memory: the body as the record gives it. */
  readonly rawBody?: string;
  /** Its `body` is still the empty string: see attachBody. */
  readonly article?: Article;
  readonly errors: readonly ArticleError[];
  readonly warnings: readonly ArticleError[];
}

/**
 * Where loaded bodies live. `memory`: the raw body is kept and sanitised on
 * first use — an article never depends on its file again, so its last good
 * version can be served after the file changes. `disk`: only the file's
 * version is kept and the body is read again on first use — for very large
 * corpora, where holding every body would not fit the memory budget.
 */
export type BodyStorage = 'memory' | 'disk';

/** Initial loads of more files than this keep bodies on disk (see BodyStorage). */
export const BODIES_ON_DISK_FROM = 20_000;

/**
 * Reads and validates one article file, leaving the body's sanitising (and
 * with `disk`, its decoding) for later; never throws. `memo`: the load's or
 * store's (see load-memo.ts); without it nothing is reused.
 */
export function readArticleFile(dataDir: string, name: string, language: string, maxBytes = MAX_RECORD_BYTES, bodies: BodyStorage = 'memory', memo?: Pick<LoadMemo, 'files' | 'slugs' | 'zones'>): ArticleFileRead {
  const shownAs = displayName(dataDir, ARTICLES_DIR, name);
  // On disk, the body is checked now but decoded only when the article is shown.
  const read = readJsonFile(dataDir, join(dataDir, ARTICLES_DIR, name), shownAs, maxBytes, bodies === 'disk' ? 'body' : undefined, memo?.files);
  if (!read.ok) return { name, shownAs, errors: [read.error], warnings: [] };
  const result = parseArticleWithoutBody(read.value, shownAs, memo === undefined ? { language } : { language, memo });
  if (!result.article) return { name, shownAs, errors: result.errors, warnings: result.warnings };
  const rawBody = bodies === 'memory' ? (read.value as { body?: unknown }).body : undefined;
  return { name, shownAs, article: result.article, version: read.version, ...(typeof rawBody === 'string' ? { rawBody } : {}), errors: result.errors, warnings: result.warnings };
}

/**
 * Completes a read into a FileRecord: the article's body becomes an
 * accessor that reads the file again on first use, and only from the same
 * version of the file (see lazy-body.ts). `bodies`: the store's cache of
 * sanitised bodies; without it a body is sanitised on every read.
 */
export function attachBody(dataDir: string, read: ArticleFileRead, bodies?: BodyCache): FileRecord {
  const { name, shownAs, article, version, rawBody, errors, warnings } = read;
  if (article !== undefined && rawBody !== undefined) {
    const source: MemoryBodySource = { produce: bodies?.cached(bodyFromMemory) ?? bodyFromMemory, raw: rawBody };
    return { name, shownAs, article: attachLazyBody(article, source), ...(version === undefined ? {} : { version }), errors, warnings };
  }
  if (article === undefined || version === undefined) return { name, shownAs, errors, warnings };
  return { name, shownAs, article: attachLazyBody(article, fileBodySource(dataDir, name, version, bodies)), version, errors, warnings };
}

/** Where the body of `name` is: that file in exactly `version` (read again on first use, see lazy-body.ts). */
export function fileBodySource(dataDir: string, name: string, version: FileVersion, bodies?: BodyCache): BodySource {
  // One small object per article, no closures: this is kept for every article loaded. It shares the record's
  // version object rather than copying its four numbers (two of them boxed doubles) for each of 100,000.
  const source: FileBodySource = { produce: bodies?.cached(bodyFromFile) ?? bodyFromFile, dataDir, name, version };
  return source;
}

/** A loaded article's raw body, kept in memory and sanitised on first use. */
interface MemoryBodySource extends BodySource {
  readonly raw: string;
}

function bodyFromMemory(article: { readonly url: string; readonly source: string }, source: BodySource): string {
  return sanitizedBodyOf({ body: (source as MemoryBodySource).raw }, article);
}

/** Where a loaded article's body is: its file, in the version read at load. */
interface FileBodySource extends BodySource {
  readonly version: FileVersion;
  readonly dataDir: string;
  readonly name: string;
}

function bodyFromFile(article: { readonly url: string; readonly source: string }, source: BodySource): string {
  const { dataDir, name, version } = source as FileBodySource;
  const again = readJsonFileVersion(join(dataDir, ARTICLES_DIR, name), article.source, version);
  return sanitizedBodyOf(again?.ok ? again.value : undefined, article);
}

/** Reads one article file into a FileRecord; never throws. The body is read when first used. `memo`: the store's. */
export function loadArticleFile(dataDir: string, name: string, site: Site, maxBytes = MAX_RECORD_BYTES, memo?: LoadMemo): FileRecord {
  return attachBody(dataDir, readArticleFile(dataDir, name, site.language, maxBytes, 'memory', memo), memo?.bodies);
}

/** Reads every `articles/*.json` file, in name order, with one memo for them all (the caller's, or one of their own). */
export function loadArticleFiles(dataDir: string, site: Site, maxBytes = MAX_RECORD_BYTES, memo: LoadMemo = createLoadMemo()): FileRecord[] {
  return listJsonFiles(join(dataDir, ARTICLES_DIR)).map((name) => loadArticleFile(dataDir, name, site, maxBytes, memo));
}

