import type { Article, Site } from '../model/types.js';
import { feedPath, namesOf, type FeedDescriptor, type FeedFilter } from './directory.js';
import { feedArticles, indexArticles, visibleFrom } from './feed-index.js';
import { newestChange, selectPage, type FeedQuery, type Page } from './select.js';

/** One feed, resolved at one instant: what it is, its title, and its items. */
export interface FeedView {
  readonly descriptor: FeedDescriptor;
  readonly title: string;
  readonly description: string;
  /** URL path of the feed's folder ("" for the main feed). */
  readonly path: string;
  readonly articles: readonly Article[];
  /** Newest change among the items; the Unix epoch when there are none. */
  readonly updated: Date;
  /** The page shown and its neighbours (RFC 5005 paging). */
  readonly page: Page;
}

const KIND_LABEL = { section: 'Section', tag: 'Tag', language: 'Language', author: 'Stories by' } as const;

/** Title of a feed: the site's, or "Site — Section: Korea". */
export function feedTitle(site: Site, descriptor: FeedDescriptor): string {
  if (!descriptor.filter) return site.title;
  const { kind } = descriptor.filter;
  return kind === 'author' ? `${site.title} — ${KIND_LABEL.author} ${descriptor.name}` : `${site.title} — ${KIND_LABEL[kind]}: ${descriptor.name}`;
}

/** What a feed view is made from: a store's FeedPage (see store/store.ts), or a page resolved in memory. */
export interface PageOfFeed extends Page {
  /** The filter's display name: the newest visible article's spelling. */
  readonly name: string;
}

/** The view of one resolved page of a feed: its descriptor, title, description and `updated`. */
export function viewOfPage(site: Site, filter: FeedFilter | undefined, page: PageOfFeed): FeedView {
  const descriptor: FeedDescriptor = filter === undefined ? { name: 'All stories', path: '' } : { filter, name: page.name, path: feedPath(filter) };
  const title = feedTitle(site, descriptor);
  const { next, previous, last } = page;
  return {
    descriptor,
    title,
    description: filter === undefined ? site.description : `${title}. ${site.description}`.trim(),
    path: descriptor.path,
    articles: page.articles,
    updated: newestChange(page.articles),
    page: { articles: page.articles, ...(next === undefined ? {} : { next }), ...(previous === undefined ? {} : { previous }), ...(last === undefined ? {} : { last }) },
  };
}

/**
 * Resolves a feed (the main one, or a filter) against a snapshot's
 * newest-first list of articles at `now`. Undefined when no visible article
 * carries the filter's slug: an unknown feed. The list's index (per kind
 * and slug, newest first) is built once per list and reused, so this costs
 * a lookup and a binary search, plus the page itself.
 */
export function resolveFeedView(site: Site, articles: readonly Article[], filter: FeedFilter | undefined, query: FeedQuery, now: Date): FeedView | undefined {
  const list = feedArticles(indexArticles(articles), filter);
  if (list === undefined) return undefined;
  const from = visibleFrom(list, now);
  const newestVisible = list[from];
  if (filter !== undefined && newestVisible === undefined) return undefined;
  // The display name is the newest visible article's spelling, as in the feed directory.
  const name = filter === undefined ? 'All stories' : ((newestVisible && namesOf(newestVisible, filter.kind).find(([slug]) => slug === filter.slug)?.[1]) ?? filter.slug);
  return viewOfPage(site, filter, { ...selectPage(list, query, now), name });
}
