import { namesOf, type FeedFilter } from '../../model/feed-filter.js';
import { selectPage, visibleFrom, type FeedQuery, type PageOfFeed } from '../../model/feed-query.js';
import { feedArticles, type FeedIndex } from './feed-index.js';

/**
 * Resolves a page of a feed (the main one, or a filter) against a
 * snapshot's feed index at `now`. Undefined when no visible article
 * carries the filter's slug: an unknown feed. The index (per kind and
 * slug, newest first) is built once per snapshot and reused, so this costs
 * a lookup and a binary search, plus the page itself.
 */
export function resolvePage(index: FeedIndex, filter: FeedFilter | undefined, query: FeedQuery, now: Date): PageOfFeed | undefined {
  const list = feedArticles(index, filter);
  if (list === undefined) return undefined;
  const newestVisible = list[visibleFrom(list, now)];
  if (filter !== undefined && newestVisible === undefined) return undefined;
  // The display name is the newest visible article's spelling, as in the feed directory.
  const name = filter === undefined ? 'All stories' : ((newestVisible && namesOf(newestVisible, filter.kind).find(([slug]) => slug === filter.slug)?.[1]) ?? filter.slug);
  return { ...selectPage(list, query, now), name };
}
