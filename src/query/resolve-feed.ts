import type { Cursor } from '../model/cursor.js';
import { feedPath, type FeedFilter, type FilterKind } from '../model/feed-filter.js';
import type { FeedQuery } from '../model/feed-query.js';
import { FEED_FILE_NAMES, type FeedFormat, type Site } from '../model/types.js';
import type { Store } from '../store/store.js';
import { FeedRequestError } from './errors.js';
import { feedQueryString, parseFeedQuery } from './feed-request.js';
import { viewOfPage, type FeedView } from './feed-view.js';

/** A parsed feed request: which feed, in which format, which page. */
export interface FeedRequest {
  readonly format: FeedFormat;
  /** Undefined for the main feed. */
  readonly filter?: FeedFilter;
  readonly query: FeedQuery;
  /** The canonical query string ("" for the default page): part of the cache key and of the self link. */
  readonly search: string;
}

/** Links of one feed document beyond its items. */
export interface FeedDocumentLinks {
  /** Self URLs of this document in every format (with its query), so each format can name the others. */
  readonly self: Readonly<Record<FeedFormat, string>>;
  /** The page for people showing this feed: its folder URL (the home page for the main feed). */
  readonly html: string;
  /** RFC 5005 paging, when the feed has more than one page. */
  readonly first?: string;
  readonly next?: string;
  readonly previous?: string;
  readonly last?: string;
}

/** One feed document, resolved: what to render and until when it stays right. */
export interface ResolvedFeed {
  readonly site: Site;
  readonly view: FeedView;
  readonly links: FeedDocumentLinks;
  /** When the feed next changes by itself (an embargo release), ms since the epoch. */
  readonly nextRelease?: number;
}

/** Self URLs of every format of the feed rooted at `prefix` ("" for the main feed). */
export function feedLinks(baseUrl: string, prefix: string): Readonly<Record<FeedFormat, string>> {
  return { rss: `${baseUrl}${prefix}/${FEED_FILE_NAMES.rss}`, atom: `${baseUrl}${prefix}/${FEED_FILE_NAMES.atom}`, json: `${baseUrl}${prefix}/${FEED_FILE_NAMES.json}` };
}

/**
 * Reads a feed URL's parts into a FeedRequest. Slugs and language codes
 * are compared NFKC-normalised and lower-cased (`/languages/zh-hans/`).
 * Throws FeedRequestError (400) for a bad query string.
 */
export function parseFeedRequest(format: FeedFormat, kind: FilterKind | undefined, slug: string | undefined, rawQuery: Record<string, unknown>, feedSize: number): FeedRequest {
  const query = parseFeedQuery(rawQuery, feedSize);
  const filter = kind === undefined ? undefined : { kind, slug: String(slug).normalize('NFKC').toLowerCase() };
  return { format, ...(filter === undefined ? {} : { filter }), query, search: feedQueryString(query, feedSize) };
}

/** The cache key of a request: format, feed and canonical query. */
export function feedRequestKey(request: FeedRequest): string {
  return `${request.format}\n${feedPath(request.filter)}\n${request.search}`;
}

/**
 * Resolves a feed request against the store at `now`: the page, its view
 * (title, description, `updated`), its self and paging links, and its next
 * embargo release. Throws FeedRequestError (404) for a feed no visible
 * article is filed under.
 */
export async function resolveFeed(store: Store, request: FeedRequest, now: Date): Promise<ResolvedFeed> {
  const { filter, query } = request;
  const site = store.site();
  const page = await store.feedPage(filter, query, now);
  if (page === undefined) throw new FeedRequestError(404, unknownFeedMessage(filter));
  const view = viewOfPage(site, filter, page);
  const base = `${site.baseUrl}${view.path}/${FEED_FILE_NAMES[request.format]}`;
  const link = (at?: { before: Cursor } | { after: Cursor }) => {
    const search = feedQueryString({ limit: query.limit, ...(query.since === undefined ? {} : { since: query.since }) }, site.feedSize, at);
    return search === '' ? base : `${base}?${search}`;
  };
  const { next, previous, last } = view.page;
  const paged = next !== undefined || previous !== undefined;
  // The self link names this very document: a page or a filtered query is its own resource (RFC 5005), and
  // validators check that the self link matches the address the feed was fetched from.
  const topic = feedLinks(site.baseUrl, view.path);
  const withQuery = (url: string) => (request.search === '' ? url : `${url}?${request.search}`);
  const links: FeedDocumentLinks = {
    self: { rss: withQuery(topic.rss), atom: withQuery(topic.atom), json: withQuery(topic.json) },
    html: `${site.baseUrl}${view.path}/`,
    ...(paged ? { first: link() } : {}),
    ...(next === undefined ? {} : { next: link({ before: next }) }),
    ...(previous === undefined ? {} : { previous: link({ after: previous }) }),
    ...(last === undefined ? {} : { last: link({ after: last }) }),
  };
  return { site, view, links, ...(page.nextRelease === undefined ? {} : { nextRelease: page.nextRelease }) };
}

function unknownFeedMessage(filter: FeedFilter | undefined): string {
  return `No ${filter?.kind ?? ''} feed named ${JSON.stringify(filter?.slug.slice(0, 100))}. The list of feeds is at /feeds.opml and on the home page /.`;
}
