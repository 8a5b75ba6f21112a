import { recordEtag } from '../versions.js';
import { createHash } from 'node:crypto';
import { ARTICLE_FIELDS, ARTICLE_KEYS } from '../../model/article-fields.js';
import type { Article } from '../../model/types.js';
import { FILTER_KINDS, feedPath, namesOf, slugsOf, type FeedFilter, type FiledUnder, type SlugOf } from '../../model/feed-filter.js';
import { Slugger, slugify } from '../../model/slug.js';
import type { ChangedFeed } from '../../model/feed-filter.js';

/** One article as the articles table holds it (see migration-steps.ts), ready for jsonb_to_recordset. */
export interface ArticleRow {
  readonly id: string;
  readonly url: string;
  readonly headline: string;
  readonly published: string;
  readonly updated: string;
  readonly status: string;
  readonly language: string;
  readonly section: string | null;
  readonly source: string;
  readonly file: string | null;
  readonly content_hash: string;
  /** The original this article names as a translation (model/translations.ts), for sibling look-ups. */
  readonly translation_of: string | null;
  /**
   * The record's JSON text exactly as written: the file's text (sync), or the text the files backend
   * would write (the API). Text, not jsonb (migration 6): an `existing` version keeps these bytes, as the
   * files backend keeps a file's, so both backends give the same version and ETag.
   */
  readonly record: string;
  /** versions.ts recordEtag of the (canonical) record. */
  readonly etag: string;
  readonly article: unknown;
}

/** One row of feed_entries. */
export interface EntryRow {
  readonly kind: string;
  readonly slug: string;
  readonly name: string;
  readonly article_id: string;
  readonly published: string;
  readonly updated: string;
}

/** The hash sync compares: the site language is part of it, because records without one take the site's. */
export function contentHash(language: string, bytes: Uint8Array): string {
  return createHash('sha256').update(language).update('\0').update(bytes).digest('hex');
}

/**
 * The article as plain data, its body read now. A loaded article's `body`
 * may be an accessor that sanitises on first read (lazy-body.ts); reading it
 * here means the database holds the sanitised string and no cold render
 * sanitises again.
 */
export function articleData(article: Article): Record<string, unknown> {
  return { ...article, body: article.body };
}

/**
 * The articles columns of `article` but `article` itself, with its instants
 * as Dates: the one list of what goes in each column, for the row
 * (articleRow) and for binary COPY (copy-binary.ts articleCopyValues).
 */
export function articleColumns(article: Article, record: unknown, text: string, hash: string, file: string | null): Omit<ArticleRow, 'published' | 'updated' | 'article'> & { readonly published: Date; readonly updated: Date } {
  return {
    id: article.id,
    url: article.url,
    headline: article.headline,
    published: article.published,
    updated: article.updated,
    status: article.status,
    language: article.language,
    section: article.section ?? null,
    source: article.source,
    file,
    content_hash: hash,
    translation_of: article.translationOf ?? null,
    record: text,
    etag: recordEtag(record),
  };
}

/** The row of `article`, whose record (canonical form, load/canonical-record.ts) was written as `text`. */
export function articleRow(article: Article, record: unknown, text: string, hash: string, file: string | null): ArticleRow {
  const columns = articleColumns(article, record, text, hash, file);
  return { ...columns, published: columns.published.toISOString(), updated: columns.updated.toISOString(), article: articleData(article) };
}

/**
 * The feed_entries rows of an article: one per filtered feed it is filed
 * under, none for a draft. A slug appearing twice in one article (a person
 * credited as reporter and photographer, tags "Korea" and "korea") is one
 * row with the first spelling, as the files backend's index keeps it.
 */
export function entryRows(article: Article, slugOf: SlugOf = slugify): EntryRow[] {
  if (article.status !== 'published') return [];
  const rows: EntryRow[] = [];
  const published = article.published.toISOString();
  const updated = article.updated.toISOString();
  for (const kind of FILTER_KINDS) {
    const seen = new Set<string>();
    for (const [slug, name] of namesOf(article, kind, slugOf)) {
      if (slug === '' || seen.has(slug)) continue;
      seen.add(slug);
      rows.push({ kind, slug, name, article_id: article.id, published, updated });
    }
  }
  return rows;
}

/** Field order of a parsed Credit and Image (load/article.ts); an Article's is ARTICLE_KEYS. */
const CREDIT_KEYS = ['name', 'role', 'organization', 'slug'];
const IMAGE_KEYS = ['url', 'type', 'caption', 'credit', 'alt', 'width', 'height', 'bytes', 'thumbnail', 'rights'];
const RIGHTS_KEYS = ['syndicate', 'terms'];

/** A copy with keys in `keys` order (any others after), absent ones left absent. */
function ordered(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  for (const key of Object.keys(value)) if (!(key in out)) out[key] = value[key];
  return out;
}

/**
 * An Article from its JSONB form: dates revived, and keys back in the
 * loader's order. JSONB sorts keys (shortest first), and anything that
 * serialises or spreads an article (the ingest API's JSON, WebSub's
 * comparison) must see the same object from both backends.
 */
export function articleFromJson(json: unknown): Article {
  const data = json as Record<string, unknown>;
  const revived: Record<string, unknown> = { ...data };
  for (const { key, shape } of ARTICLE_FIELDS) {
    const value = data[key];
    if (value === undefined) continue;
    if (shape === 'date') revived[key] = new Date(value as string);
    else if (shape === 'credits') revived[key] = (value as Record<string, unknown>[]).map((credit) => ordered(credit, CREDIT_KEYS));
    else if (shape === 'images') revived[key] = (value as Record<string, unknown>[]).map((image) => ordered(image.rights === undefined ? image : { ...image, rights: ordered(image.rights as Record<string, unknown>, RIGHTS_KEYS) }, IMAGE_KEYS));
  }
  return ordered(revived, ARTICLE_KEYS) as unknown as Article;
}

/** Feeds (by path) an article is filed under, the main feed included: what a change to it may change. */
export function feedsOf(articles: Iterable<FiledUnder>): ChangedFeed[] {
  const feeds = new Map<string, FeedFilter | undefined>([['', undefined]]);
  const slugs = new Slugger();
  for (const article of articles) {
    for (const kind of FILTER_KINDS) {
      for (const slug of slugsOf(article, kind, slugs.slugify)) {
        const filter = { kind, slug };
        feeds.set(feedPath(filter), filter);
      }
    }
  }
  return [...feeds.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, filter]) => (filter === undefined ? { path } : { filter, path }));
}
