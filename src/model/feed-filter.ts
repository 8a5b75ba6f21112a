import { slugify } from './slug.js';
import type { Article } from './types.js';

/** The kinds of filtered feed, by URL folder. */
export const FILTER_KINDS = ['section', 'tag', 'language', 'author'] as const;
export type FilterKind = (typeof FILTER_KINDS)[number];

/** URL folder of each kind: /sections/{slug}/rss.xml … */
export const KIND_FOLDER: Readonly<Record<FilterKind, string>> = { section: 'sections', tag: 'tags', language: 'languages', author: 'authors' };

export interface FeedFilter {
  readonly kind: FilterKind;
  readonly slug: string;
}

/** One feed the server offers: the main feed or a filtered one. */
export interface FeedDescriptor {
  /** Undefined for the main feed. */
  readonly filter?: FeedFilter;
  /** What the feed is about: the section, tag or author name, or the language code. */
  readonly name: string;
  /** URL path of the feed's folder: "" for the main feed, "/sections/korea" for a section. */
  readonly path: string;
}

/** Makes the slug of a section or tag name: slugify, or a Slugger's memo of it (model/slug.ts) where many articles are gone through. */
export type SlugOf = (name: string) => string;

/** What files an article under feeds: its section, tags, language and credits. */
export type FiledUnder = Pick<Article, 'section' | 'tags' | 'language' | 'credits'>;

/** The slugs an article is filed under, per kind. Language slugs are the lower-cased language tag. */
export function slugsOf(article: FiledUnder, kind: FilterKind, slug: SlugOf = slugify): string[] {
  switch (kind) {
    case 'section':
      return article.section === undefined ? [] : [slug(article.section)];
    case 'tag':
      return article.tags.map(slug);
    case 'language':
      return [article.language.toLowerCase()];
    case 'author':
      return article.credits.map((c) => c.slug);
  }
}

export function matchesFilter(article: Article, filter: FeedFilter): boolean {
  return slugsOf(article, filter.kind).includes(filter.slug);
}

/** [slug, display name] pairs an article is filed under, per kind. */
export function namesOf(article: Article, kind: FilterKind, slug: SlugOf = slugify): [string, string][] {
  switch (kind) {
    case 'section':
      return article.section === undefined ? [] : [[slug(article.section), article.section]];
    case 'tag':
      return article.tags.map((t) => [slug(t), t]);
    case 'language':
      return [[article.language.toLowerCase(), article.language]];
    case 'author':
      return article.credits.map((c) => [c.slug, c.name]);
  }
}

export function feedPath(filter: FeedFilter | undefined): string {
  return filter === undefined ? '' : `/${KIND_FOLDER[filter.kind]}/${encodeURIComponent(filter.slug)}`;
}

/**
 * Every feed there is for these articles (pass the visible ones): the main
 * feed, then per kind the filtered feeds sorted by slug.
 */
export function listFeeds(articles: readonly Article[], slugOf: SlugOf = slugify): FeedDescriptor[] {
  // Display names: the first spelling seen (the newest article's) wins.
  const feeds: FeedDescriptor[] = [{ name: 'All stories', path: '' }];
  for (const kind of FILTER_KINDS) {
    const names = new Map<string, string>();
    for (const article of articles) for (const [slug, name] of namesOf(article, kind, slugOf)) if (!names.has(slug)) names.set(slug, name);
    for (const slug of [...names.keys()].sort()) {
      const filter = { kind, slug };
      feeds.push({ filter, name: names.get(slug) ?? slug, path: feedPath(filter) });
    }
  }
  return feeds;
}

/** A feed whose content differs between two states, by folder path ("" for the main feed). */
export interface ChangedFeed {
  readonly filter?: FeedFilter;
  readonly path: string;
}

/** A feed's CDN cache key: "main", or its folder path without the leading slash ("tags/korea"); what PURGE_WEBHOOK is sent. */
export function feedKey(feedPathOrEmpty: string): string {
  return feedPathOrEmpty === '' ? 'main' : feedPathOrEmpty.replace(/^\//, '');
}
