import { type Cursor, formatCursor, parseCursor } from '../model/cursor.js';
import { feedPath, type FeedFilter, type FilterKind, type FeedDescriptor } from '../model/feed-filter.js';
import { type FeedQuery, newestChange, type Page, type PageOfFeed } from '../model/feed-query.js';
import { FEED_FILE_NAMES, type DocumentFormat, type Site, type Article } from '../model/types.js';
import type { Store, StoredItemsWanted, TranslationsAt } from '../store/store.js';
import { FeedRequestError } from './errors.js';
import { DateTime } from 'luxon';
import { hasImpossibleOffset } from '../load/dates.js';

/** A parsed feed request: which feed, in which format, which page. */
export interface FeedRequest {
  readonly format: DocumentFormat;
  /** Undefined for the main feed. */
  readonly filter?: FeedFilter;
  readonly query: FeedQuery;
  /** The canonical query string ("" for the default page): part of the cache key and of the self link. */
  readonly search: string;
}

/** Links of one feed document beyond its items. */
export interface FeedDocumentLinks {
  /** Self URLs of this document in every format (with its query), so each format can name the others. */
  readonly self: Readonly<Record<DocumentFormat, string>>;
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
  /** The translation links of the items, as readers may see them now. */
  readonly translations: TranslationsAt;
  /** When the feed next changes by itself (an embargo release, or a translation of an item released), ms since the epoch. */
  readonly nextRelease?: number;
}

/** Self URLs of every format of the feed rooted at `prefix` ("" for the main feed). */
export function feedLinks(baseUrl: string, prefix: string, search = ''): Readonly<Record<DocumentFormat, string>> {
  const query = search === '' ? '' : `?${search}`;
  return mapFormats((fileName) => `${baseUrl}${prefix}/${fileName}${query}`);
}

/** One value per served format, from its file name (FEED_FILE_NAMES is the table of formats a feed folder holds). */
function mapFormats(of: (fileName: string) => string): Readonly<Record<DocumentFormat, string>> {
  return Object.fromEntries(Object.entries(FEED_FILE_NAMES).map(([format, fileName]) => [format, of(fileName)])) as Record<DocumentFormat, string>;
}

/**
 * Reads a feed URL's parts into a FeedRequest. Slugs and language codes
 * are compared NFKC-normalised and lower-cased (`/languages/zh-hans/`).
 * Throws FeedRequestError (400) for a bad query string.
 */
export function parseFeedRequest(format: DocumentFormat, kind: FilterKind | undefined, slug: string | undefined, rawQuery: Record<string, unknown>, feedSize: number): FeedRequest {
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
 * article is filed under. `items`: the stored items the caller will ask
 * for next, read with the page where the backend can.
 */
export async function resolveFeed(store: Store, request: FeedRequest, now: Date, items?: StoredItemsWanted): Promise<ResolvedFeed> {
  const { filter, query } = request;
  const site = store.site();
  const page = await store.feedPage(filter, query, now, items);
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
  const links: FeedDocumentLinks = {
    self: feedLinks(site.baseUrl, view.path, request.search),
    html: `${site.baseUrl}${view.path}/`,
    ...(paged ? { first: link() } : {}),
    ...(next === undefined ? {} : { next: link({ before: next }) }),
    ...(previous === undefined ? {} : { previous: link({ after: previous }) }),
    ...(last === undefined ? {} : { last: link({ after: last }) }),
  };
  const translations = await store.translations(view.articles, now);
  const nextRelease = earliest(page.nextRelease, translations.nextRelease);
  return { site, view, links, translations, ...(nextRelease === undefined ? {} : { nextRelease }) };
}

/** The earlier of two optional instants. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function unknownFeedMessage(filter: FeedFilter | undefined): string {
  return `No ${filter?.kind ?? ''} feed named ${JSON.stringify(filter?.slug.slice(0, 100))}. The list of feeds is at /feeds.opml and on the home page /.`;
}

export const MAX_LIMIT = 100;
const KNOWN_PARAMS = new Set(['limit', 'since', 'before', 'after']);

/** One query parameter, which must appear at most once and be a plain string. */
function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new FeedRequestError(400, `query parameter "${name}" must be given once`);
  return value;
}

/**
 * Reads a feed request's query string into a FeedQuery: `limit` (1..100,
 * default the site's feed size), `since` (an ISO 8601 date-time; only
 * items updated after it), and a page cursor, `before` (older articles) or
 * `after` (newer ones), as written in the feed's paging links. Anything
 * else is a 400 with a message.
 */
export function parseFeedQuery(query: Record<string, unknown>, defaultLimit: number): FeedQuery {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) throw new FeedRequestError(400, `unknown query parameter ${JSON.stringify(key.slice(0, 40))}; feeds accept "limit", "since", "before" and "after"`);
  }
  const limitText = single(query, 'limit');
  let limit = defaultLimit;
  if (limitText !== undefined) {
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw new FeedRequestError(400, `query parameter "limit" must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText.slice(0, 40))}`);
    }
    limit = Number(limitText);
  }
  const since = instantParam(query, 'since');
  const before = cursorParam(query, 'before');
  const after = cursorParam(query, 'after');
  if (before !== undefined && after !== undefined) throw new FeedRequestError(400, 'query parameters "before" and "after" cannot be combined: a page is either older or newer than a position');
  return {
    limit,
    ...(since === undefined ? {} : { since }),
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  };
}

/**
 * An instant query parameter, read strictly: ISO 8601, a real calendar date
 * (2026-02-30 is refused, not rolled into March), nothing after it, an
 * offset within ±14:00, and a time without an offset read as UTC (never the
 * server's zone). Anything else is a 400 naming the parameter. Feeds' and
 * the audit trail's `since` both read through it.
 */
export function instantParam(query: Record<string, unknown>, name: string): Date | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  if (hasImpossibleOffset(text)) throw new FeedRequestError(400, `query parameter "${name}" must have a UTC offset between -14:00 and +14:00, got ${JSON.stringify(text.slice(0, 40))}`);
  const instant = text.length <= 64 ? DateTime.fromISO(text, { zone: 'utc' }) : DateTime.invalid('too long');
  if (!instant.isValid) throw new FeedRequestError(400, `query parameter "${name}" must be an ISO 8601 date or date-time such as 2024-05-01T00:00:00Z, got ${JSON.stringify(text.slice(0, 40))}`);
  return instant.toJSDate();
}

function cursorParam(query: Record<string, unknown>, name: 'before' | 'after'): Cursor | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const cursor = parseCursor(text);
  if (cursor === undefined) {
    throw new FeedRequestError(400, `query parameter "${name}" must be a page cursor taken from a feed's next/previous link, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return cursor;
}

/**
 * The canonical query string of a FeedQuery ("" when it is the default
 * feed): the cache key of a request and the query of its paging links.
 * Equal queries spelled differently (`limit=50` when 50 is the default,
 * `since` in another zone) give the same string.
 */
export function feedQueryString(query: FeedQuery, defaultLimit: number, page?: { before: Cursor } | { after: Cursor }): string {
  // The common poll: no parameters, no allocation.
  if (page === undefined && query.limit === defaultLimit && query.since === undefined && query.before === undefined && query.after === undefined) return '';
  const params: string[] = [];
  if (query.limit !== defaultLimit) params.push(`limit=${query.limit}`);
  if (query.since !== undefined) params.push(`since=${encodeURIComponent(query.since.toISOString())}`);
  const cursor = page ?? (query.before !== undefined ? { before: query.before } : query.after !== undefined ? { after: query.after } : undefined);
  if (cursor !== undefined) params.push('before' in cursor ? `before=${formatCursor(cursor.before)}` : `after=${formatCursor(cursor.after)}`);
  return params.join('&');
}

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
