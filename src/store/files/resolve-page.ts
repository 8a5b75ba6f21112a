import { namesOf, type FeedFilter } from '../../model/feed-filter.js';
import { selectPage, visibleFrom, type FeedQuery, type PageOfFeed } from '../../model/feed-query.js';
import type { Article } from '../../model/types.js';
import { feedArticles, indexArticles } from './feed-index.js';

/**
 * Resolves a page of a feed (the main one, or a filter) against a
 * snapshot's newest-first list of articles at `now`. Undefined when no
 * visible article carries the filter's slug: an unknown feed. The list's
 * index (per kind and slug, newest first) is built once per list and
 * reused, so this costs a lookup and a binary search, plus the page itself.
 */
export function resolvePage(articles: readonly Article[], filter: FeedFilter | undefined, query: FeedQuery, now: Date): PageOfFeed | undefined {
  const list = feedArticles(indexArticles(articles), filter);
  if (list === undefined) return undefined;
  const newestVisible = list[visibleFrom(list, now)];
  if (filter !== undefined && newestVisible === undefined) return undefined;
  // The display name is the newest visible article's spelling, as in the feed directory.
  const name = filter === undefined ? 'All stories' : ((newestVisible && namesOf(newestVisible, filter.kind).find(([slug]) => slug === filter.slug)?.[1]) ?? filter.slug);
  return { ...selectPage(list, query, now), name };
}
