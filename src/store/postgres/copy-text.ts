import type { Article } from '../../model/types.js';
import { etagOfJson } from '../versions.js';
import { articleData, entryRows, type ArticleRow, type EntryRow } from './rows.js';

/** Columns of articles, in the order the statements of writes.ts and every COPY line name them. */
export const ARTICLE_COLUMNS = ['id', 'url', 'headline', 'published', 'updated', 'status', 'language', 'section', 'source', 'file', 'content_hash', 'translation_of', 'record', 'etag', 'article'] as const;
export const ENTRY_COLUMNS = ['kind', 'slug', 'name', 'article_id', 'published', 'updated'] as const;

/** A column value as COPY's text format takes it: null is \N, objects go as JSON (for jsonb columns). */
type CopyValue = string | number | boolean | null | undefined | object;

/**
 * One value in COPY text format: backslash, tab, newline and carriage
 * return escaped (they separate values and rows), null as \N.
 */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'object') return copyJson(JSON.stringify(value));
  const text = String(value);
  // Most values (ids, slugs, dates) hold none of the four: skip the replace.
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * JSON text as a COPY value. JSON.stringify writes tab, newline and
 * carriage return inside strings as escapes and none outside them, so only
 * the backslashes of those escapes need doubling: one replaceAll, not a
 * callback per escape (a 5 KB body has hundreds of them).
 */
function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** One row as a COPY text line (`columns` in order, tab-separated, newline-terminated). */
export function copyLine<Row>(columns: readonly (keyof Row & string)[], row: Row): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += `${i === 0 ? '' : '\t'}${copyField(row[columns[i] as keyof Row] as CopyValue)}`;
  return `${line}\n`;
}

/** An article as its COPY lines: what sync's reading threads send the writer instead of objects. */
export interface ArticleCopyText {
  /** The articles line (ARTICLE_COLUMNS). */
  readonly article: string;
  /** Its feed_entries lines (ENTRY_COLUMNS), "" for none. */
  readonly entries: string;
  /** The two JSON values of the row, to look for what the database cannot store (rows.ts mayBeUnstorable). */
  readonly recordJson: string;
  readonly articleJson: string;
}

/**
 * articleRow (rows.ts) and entryRows as COPY text, with each JSON value
 * serialised once: the record's JSON is both the jsonb value and what its
 * ETag hashes (building the row object and then the line stringified it
 * twice). The bytes equal copyLine(ARTICLE_COLUMNS, articleRow(…)).
 */
export function articleCopyText(article: Article, record: unknown, hash: string, file: string | null): ArticleCopyText {
  const recordJson = JSON.stringify(record);
  const articleJson = JSON.stringify(articleData(article));
  const row: Omit<ArticleRow, 'record' | 'article'> = {
    id: article.id,
    url: article.url,
    headline: article.headline,
    published: article.published.toISOString(),
    updated: article.updated.toISOString(),
    status: article.status,
    language: article.language,
    section: article.section ?? null,
    source: article.source,
    file,
    content_hash: hash,
    translation_of: article.translationOf ?? null,
    etag: etagOfJson(recordJson),
  };
  let line = '';
  for (const column of ARTICLE_COLUMNS) {
    const value = column === 'record' ? copyJson(recordJson) : column === 'article' ? copyJson(articleJson) : copyField(row[column]);
    line += column === 'id' ? value : `\t${value}`;
  }
  let entries = '';
  for (const entry of entryRows(article)) entries += copyLine<EntryRow>(ENTRY_COLUMNS, entry);
  return { article: `${line}\n`, entries, recordJson, articleJson };
}
