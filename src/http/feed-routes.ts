import express, { type NextFunction, type Request, type Response } from 'express';
import type { FeedMeta } from '../map/to-feed-model.js';
import { countReleased, nextSiblingRelease, visibleSiblings } from '../model/translations.js';
import type { DocumentFormat } from '../model/types.js';
import type { Cursor } from '../query/cursor.js';
import { FILTER_KINDS, KIND_FOLDER, feedPath, type FeedFilter, type FilterKind } from '../query/directory.js';
import { feedArticles, indexArticles, visibleFrom } from '../query/feed-index.js';
import { resolveFeedView } from '../query/feed-view.js';
import type { FeedQuery } from '../query/select.js';
import type { FeedExtras } from '../render/extras.js';
import { FORMATS, renderFeed, SERVED_FORMATS } from '../render/render.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Store } from '../store/store.js';
import { negotiateEncoding, type ContentCoding } from './compress.js';
import { isNotModified } from './conditional.js';
import { HttpError } from './errors.js';
import { FeedCache, type CachedFeed, type Representation } from './feed-cache.js';
import { lowerCaseHeaders, type FastPath } from './fast-path.js';
import { feedQueryString, parseFeedQuery } from './feed-request.js';

/** Cache-Control lifetimes in seconds. */
export interface FeedCaching {
  readonly maxAge: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
}

export const DEFAULT_FEED_CACHING: FeedCaching = { maxAge: 300, staleWhileRevalidate: 60, staleIfError: 86400 };

export interface FeedRoutesDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly caching: FeedCaching;
  /** Rendered feeds; one per app. */
  readonly cache: FeedCache;
  /** WebSub hub every feed announces. */
  readonly hub?: string;
  /** Where answered feed requests are recorded for replay before Express (see fast-path.ts). */
  readonly fastPath?: FastPath;
}

/** Self URLs of the three formats of the feed rooted at `prefix` ("" for the main feed). */
export function feedLinks(baseUrl: string, prefix: string): FeedMeta['links'] {
  return {
    rss: `${baseUrl}${prefix}/${FORMATS.rss.fileName}`,
    atom: `${baseUrl}${prefix}/${FORMATS.atom.fileName}`,
    json: `${baseUrl}${prefix}/${FORMATS.json.fileName}`,
  };
}

/** Slugs are compared lower-cased; language codes too (`/languages/zh-hans/`). */
function filterSlug(_kind: FilterKind, raw: string): string {
  return raw.normalize('NFKC').toLowerCase();
}

/**
 * The feed routes: the main feed and every filtered feed, in every served
 * format (SERVED_FORMATS). A feed is rendered once per data version, visibility epoch,
 * format and query, then served from memory: conditional GET answered from
 * precomputed validators, compressed forms made once and kept, headers
 * precomputed, so a warm poll does no rendering, hashing or compressing.
 */
export function createFeedRoutes(deps: FeedRoutesDeps): express.Router {
  const { store, clock, cache, caching } = deps;
  const router = express.Router();
  store.subscribe(() => cache.invalidate());
  const window = (caching.maxAge + caching.staleWhileRevalidate) * 1000;
  const usualCacheControl = cacheControlValue(caching.maxAge, caching.staleWhileRevalidate, caching.staleIfError);

  /** Cache-Control for a feed whose next embargo release is at `nextRelease`: no cache may keep it past then. */
  const cacheControl = (nextRelease: number | undefined, now: number): string => {
    if (nextRelease === undefined || nextRelease - now >= window) return usualCacheControl;
    const untilRelease = Math.max(0, Math.floor((nextRelease - now) / 1000));
    const maxAge = Math.min(caching.maxAge, untilRelease);
    return cacheControlValue(maxAge, Math.min(caching.staleWhileRevalidate, untilRelease - maxAge), caching.staleIfError);
  };

  const render = (snapshot: Snapshot, format: DocumentFormat, filter: FeedFilter | undefined, query: FeedQuery, now: Date) => {
    const { site } = snapshot;
    const view = resolveFeedView(site, snapshot.articles, filter, query, now);
    if (!view) throw new HttpError(404, unknownFeedMessage(filter));
    const base = `${site.baseUrl}${view.path}/${FORMATS[format].fileName}`;
    const link = (page?: { before: Cursor } | { after: Cursor }) => {
      const search = feedQueryString({ limit: query.limit, ...(query.since === undefined ? {} : { since: query.since }) }, site.feedSize, page);
      return search === '' ? base : `${base}?${search}`;
    };
    const { next, previous, last } = view.page;
    const paged = next !== undefined || previous !== undefined;
    const extras: FeedExtras = {
      // The page for people showing this feed: its folder URL (the home page for the main feed).
      html: `${site.baseUrl}${view.path}/`,
      ...(deps.hub === undefined ? {} : { hub: deps.hub }),
      ...(paged ? { first: link() } : {}),
      ...(next === undefined ? {} : { next: link({ before: next }) }),
      ...(previous === undefined ? {} : { previous: link({ after: previous }) }),
      ...(last === undefined ? {} : { last: link({ after: last }) }),
    };
    // The self link names this very document: a page or a filtered query is its own resource (RFC 5005), and
    // validators check that the self link matches the address the feed was fetched from.
    const selfQuery = feedQueryString(query, site.feedSize);
    const topic = feedLinks(site.baseUrl, view.path);
    const links = selfQuery === '' ? topic : { rss: `${topic.rss}?${selfQuery}`, atom: `${topic.atom}?${selfQuery}`, json: `${topic.json}?${selfQuery}` };
    const meta: FeedMeta = { title: view.title, description: view.description, links, updated: view.updated };
    const list = feedArticles(indexArticles(snapshot.articles), filter) ?? [];
    const from = visibleFrom(list, now);
    // The feed changes when one of its own embargoes ends, or when a translation of one of its items is released.
    const ownRelease = from === 0 ? undefined : (list[from - 1] as { published: Date }).published.getTime();
    const siblingRelease = nextSiblingRelease(snapshot.translations, view.articles, now);
    const nextRelease = ownRelease === undefined ? siblingRelease : siblingRelease === undefined ? ownRelease : Math.min(ownRelease, siblingRelease);
    return {
      body: renderFeed(format, { site, meta, articles: view.articles, extras, translations: (article) => visibleSiblings(snapshot.translations, article, now) }),
      contentType: FORMATS[format].mediaType,
      lastModified: view.updated,
      ...(nextRelease === undefined ? {} : { nextRelease }),
    };
  };

  const send = (req: Request, res: Response, cached: CachedFeed, representation: Representation, now: number, generation: number): void => {
    res.setHeader('Cache-Control', cacheControl(cached.nextRelease, now));
    // Recorded for the fast path while Cache-Control is the usual one (not counting down to an embargo release).
    if (deps.fastPath && (cached.nextRelease === undefined || cached.nextRelease - now >= window)) {
      const base = res.getHeaders() as Record<string, unknown>;
      deps.fastPath.remember(req, {
        generation,
        validUntil: cached.nextRelease === undefined ? Number.POSITIVE_INFINITY : cached.nextRelease - window,
        etag: representation.etag,
        lastModifiedSeconds: cached.feed.lastModifiedSeconds,
        headers200: lowerCaseHeaders(base, representation.headers),
        headers304: lowerCaseHeaders(base, representation.notModifiedHeaders),
        bytes: representation.bytes,
      });
    }
    if (isNotModified({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, { etag: representation.etag, lastModifiedSeconds: cached.feed.lastModifiedSeconds })) {
      res.writeHead(304, representation.notModifiedHeaders);
      res.end();
      return;
    }
    res.writeHead(200, representation.headers);
    // HEAD: the same headers, Content-Length included, and no body.
    if (req.method === 'HEAD') res.end();
    else res.end(representation.bytes);
  };

  const serveFeed = (format: DocumentFormat, kind?: FilterKind) => (req: Request, res: Response, next: NextFunction) => {
    const snapshot = store.current();
    const generation = cache.generation;
    const now = clock();
    const query = parseFeedQuery(req.query as Record<string, unknown>, snapshot.site.feedSize);
    const filter: FeedFilter | undefined = kind === undefined ? undefined : { kind, slug: filterSlug(kind, String(req.params.slug)) };
    const list = feedArticles(indexArticles(snapshot.articles), filter);
    const from = list === undefined ? 0 : visibleFrom(list, now);
    if (list === undefined || (filter !== undefined && from === list.length)) throw new HttpError(404, unknownFeedMessage(filter));
    const coding: ContentCoding | undefined = negotiateEncoding(req.headers['accept-encoding']);
    if (coding === undefined) {
      throw new HttpError(406, 'none of the content codings this server has (br, gzip, identity) is acceptable per Accept-Encoding', { Vary: 'Accept-Encoding' });
    }
    // Per-feed epoch: the count of this feed's released articles, so an embargo release re-renders only the feeds it touches;
    // plus the count of released translations (rare), whose links can appear in feeds that do not hold them.
    const epoch = list.length - from + countReleased(snapshot.translationReleases, now) * 1e7;
    const key = `${format}\n${feedPath(filter)}\n${feedQueryString(query, snapshot.site.feedSize)}`;
    const cached = cache.get(key, generation, epoch, () => render(snapshot, format, filter, query, now));
    const nowMs = now.getTime();
    if (!(cached instanceof Promise)) {
      const representation = cached.feed.ready(coding);
      if (representation !== undefined) return send(req, res, cached, representation, nowMs, generation);
      return void Promise.resolve(cached.feed.representation(coding)).then((r) => send(req, res, cached, r, nowMs, generation), next);
    }
    cached.then(async (value) => send(req, res, value, await value.feed.representation(coding), nowMs, generation)).catch(next);
  };

  for (const format of SERVED_FORMATS) {
    router.get(`/${FORMATS[format].fileName}`, serveFeed(format));
    for (const kind of FILTER_KINDS) router.get(`/${KIND_FOLDER[kind]}/:slug/${FORMATS[format].fileName}`, serveFeed(format, kind));
  }
  return router;
}

function cacheControlValue(maxAge: number, staleWhileRevalidate: number, staleIfError: number): string {
  return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`;
}

function unknownFeedMessage(filter: FeedFilter | undefined): string {
  return `No ${filter?.kind ?? ''} feed named ${JSON.stringify(filter?.slug.slice(0, 100))}. The list of feeds is at /feeds.opml and on the home page /.`;
}
