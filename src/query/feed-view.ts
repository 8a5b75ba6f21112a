import type { Article, Site } from '../model/types.js';
import { feedPath, type FeedDescriptor, type FeedFilter } from '../model/feed-filter.js';
import { newestChange, type Page, type PageOfFeed } from '../model/feed-query.js';

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
