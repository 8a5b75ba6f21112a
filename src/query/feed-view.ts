import type { Article, Site } from '../model/types.js';
import { feedPath, listFeeds, matchesFilter, type FeedDescriptor, type FeedFilter } from './directory.js';
import { isVisible, newestChange, selectArticles, type FeedQuery } from './select.js';

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
}

const KIND_LABEL = { section: 'Section', tag: 'Tag', language: 'Language', author: 'Stories by' } as const;

/** Title of a feed: the site's, or "Site — Section: Korea". */
export function feedTitle(site: Site, descriptor: FeedDescriptor): string {
  if (!descriptor.filter) return site.title;
  const { kind } = descriptor.filter;
  return kind === 'author' ? `${site.title} — ${KIND_LABEL.author} ${descriptor.name}` : `${site.title} — ${KIND_LABEL[kind]}: ${descriptor.name}`;
}

/**
 * Resolves a feed (the main one, or a filter) against a newest-first list
 * of articles at `now`. Undefined when no visible article carries the
 * filter's slug: an unknown feed.
 */
export function resolveFeedView(site: Site, articles: readonly Article[], filter: FeedFilter | undefined, query: FeedQuery, now: Date): FeedView | undefined {
  const pool = filter === undefined ? articles : articles.filter((a) => matchesFilter(a, filter));
  if (filter !== undefined && !pool.some((a) => isVisible(a, now))) return undefined;
  const descriptor =
    filter === undefined
      ? { name: 'All stories', path: '' }
      : (listFeeds(pool.filter((a) => isVisible(a, now))).find((d) => d.filter?.kind === filter.kind && d.filter.slug === filter.slug) ?? { filter, name: filter.slug, path: feedPath(filter) });
  const selected = selectArticles(pool, query, now);
  const title = feedTitle(site, descriptor);
  return {
    descriptor,
    title,
    description: filter === undefined ? site.description : `${title}. ${site.description}`.trim(),
    path: descriptor.path,
    articles: selected,
    updated: newestChange(selected),
  };
}
