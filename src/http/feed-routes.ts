import express, { type NextFunction, type Request, type Response } from 'express';
import { FILTER_KINDS, KIND_FOLDER, feedPath, type FeedFilter, type FilterKind } from '../model/feed-filter.js';
import type { Article, DocumentFormat } from '../model/types.js';
import { feedRequestKey, parseFeedRequest, resolveFeed, type FeedRequest } from '../query/resolve-feed.js';
import type { FeedExtras } from '../render/extras.js';
import { FORMATS, RenderCache, renderFeed, renderFeedWithStored, SERVED_FORMATS, type RenderInput } from '../render/render.js';
import type { Store, StoredItemsWanted } from '../store/store.js';
import { markCacheStatus, writeReply, surrogateHeaders } from './reply.js';
import type { ContentCoding, NegotiationCache } from './compress.js';
import { HttpError } from './errors.js';
import { FeedCache, replyOf, type CachedFeed, type Representation } from './feed-cache.js';
import { lifetimesUntil } from './cached-document.js';
import { lowerCaseHeaders, type FastPath } from './fast-path.js';
import { PublicImages } from '../partners/public-images.js';

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
  /** Accept-Encoding answers, remembered per header; one per app. */
  readonly encodings: NegotiationCache;
  /** WebSub hub every feed announces. */
  readonly hub?: string;
  /** Where answered feed requests are recorded for replay before Express (see fast-path.ts). */
  readonly fastPath?: FastPath;
  /** Told how long each render took (metrics). */
  readonly onRender?: (format: DocumentFormat, seconds: number) => void;
}

/** The feed routes, and how to put a feed's first page into the cache before anyone asks (feed-preparation.ts). */
export interface FeedRoutes {
  readonly router: express.Router;
  /**
   * Renders the first page of the feed `filter` (none: the main feed) in
   * `format`, as a request without a query string would, into the cache,
   * and compresses it in `coding`: the same key, bytes and ETag a request
   * would get. Nothing is rendered when a fresh copy is cached already.
   */
  prepare(format: DocumentFormat, filter: FeedFilter | undefined, coding: ContentCoding): Promise<void>;
}

/**
 * The feed routes: the main feed and every filtered feed, in every served
 * format (SERVED_FORMATS): parse → resolve (query/resolve-feed.ts) → render → cache → send.
 * A feed is rendered once per data version, format and query (until its
 * next embargo release), then served from memory: conditional GET answered from
 * precomputed validators, compressed forms made once and kept, headers
 * precomputed, so a warm poll does no rendering, hashing or compressing.
 */
export function createFeedRoutes(deps: FeedRoutesDeps): FeedRoutes {
  const { store, clock, cache, caching } = deps;
  // Rendered items of this app's feeds, reused across documents and formats (never shared with another app).
  const renderCache = new RenderCache();
  // Asked only when site.json sets publicImages, so a default site's cold request crosses no extra file (cold-request.test.ts).
  const publicImages = new PublicImages();
  const router = express.Router();
  // Only the feeds the change touched go stale (all when the store cannot say): a write to one tag on a
  // busy site no longer re-renders every feed on every replica.
  store.subscribe((change) => cache.invalidate(change.touched));
  const window = (caching.maxAge + caching.staleWhileRevalidate) * 1000;
  const usualCacheControl = cacheControlValue(caching.maxAge, caching.staleWhileRevalidate, caching.staleIfError);

  /** Cache-Control for a feed whose next embargo release is at `nextRelease`: no cache may keep it past then. */
  const cacheControl = (nextRelease: number | undefined, now: number): string => {
    if (nextRelease === undefined || nextRelease - now >= window) return usualCacheControl;
    const { maxAge, staleWhileRevalidate } = lifetimesUntil(caching, nextRelease, now);
    return cacheControlValue(maxAge, staleWhileRevalidate, caching.staleIfError);
  };

  /**
   * Renders a document, taking the items the store kept (FragmentStore) and
   * giving it back the ones rendered here, so another process (or this one
   * at a new URL) renders each item once per article version: a cold
   * feed's cost in PostgreSQL is its query, the items changed since, and
   * the compression. Not awaited: storing them is no reader's concern.
   * `items`: the format and render key the page was read with.
   */
  const renderItemsOnce = async (format: DocumentFormat, input: RenderInput, items: StoredItemsWanted | undefined): Promise<string> => {
    const { fragments } = store;
    if (fragments === undefined || items === undefined) return renderFeed(format, input, renderCache);
    const { key } = items;
    const { body, rendered } = renderFeedWithStored(format, input, renderCache, await fragments.read(format, key, input.articles));
    if (rendered.length > 0) void fragments.write(format, key, rendered);
    return body;
  };

  /** Resolves the request against the store and renders it: a 404 when no visible article carries the filter. */
  const render = async (request: FeedRequest, now: Date) => {
    const items = store.fragments === undefined ? undefined : { format: request.format, key: renderCache.keyOf(store.site(), request.format) };
    const { site, view, links, translations, nextRelease } = await resolveFeed(store, request, now, items);
    const { self, ...extraLinks } = links;
    const extras: FeedExtras = { ...extraLinks, ...(deps.hub === undefined ? {} : { hub: deps.hub }) };
    const meta = { title: view.title, description: view.description, path: view.path, links: self, updated: view.updated };
    const input = { site, meta, articles: site.publicImages === 'licensed' ? publicImages.apply(site, view.articles) : view.articles, extras, translations: (article: Article) => translations.links.get(article.id) ?? [] };
    return {
      body: await renderItemsOnce(request.format, input, items),
      contentType: FORMATS[request.format].mediaType,
      lastModified: view.updated,
      ...(nextRelease === undefined ? {} : { nextRelease }),
    };
  };

  const send = (req: Request, res: Response, cached: CachedFeed, representation: Representation, now: number, generation: number, key: string, path: string): void => {
    res.setHeader('Cache-Control', cacheControl(cached.nextRelease, now));
    for (const [name, value] of Object.entries(surrogateHeaders(path))) res.setHeader(name, value);
    // Recorded for the fast path while the document stays fresh for the whole Cache-Control window
    // (so Cache-Control is the usual one, not counting down to an embargo release): the cache decides.
    if (deps.fastPath && cache.isFresh(key, generation, cached, now, window)) {
      const base = res.getHeaders() as Record<string, unknown>;
      deps.fastPath.remember(req, {
        generation,
        cacheKey: key,
        cached,
        promisedMs: window,
        etag: representation.etag,
        lastModifiedSeconds: cached.feed.lastModifiedSeconds,
        headers200: lowerCaseHeaders(base, representation.headers),
        headers304: lowerCaseHeaders(base, representation.notModifiedHeaders),
        bytes: representation.bytes,
      });
    }
    writeReply(req, res, replyOf(cached.feed, representation));
  };

  /** The cached document for `request` at `now`, rendered (and timed) when it is missing or stale. */
  const cachedFeed = (request: FeedRequest, key: string, generation: number, now: Date, use: 'request' | 'prepare' = 'request') =>
    cache.get(
      key,
      generation,
      now.getTime(),
      async () => {
        const started = performance.now();
        const result = await render(request, now);
        deps.onRender?.(request.format, (performance.now() - started) / 1000);
        return result;
      },
      use,
    );

  const serveFeed = (format: DocumentFormat, kind?: FilterKind) => (req: Request, res: Response, next: NextFunction) => {
    const generation = cache.generation;
    const now = clock();
    const nowMs = now.getTime();
    const request = parseFeedRequest(format, kind, kind === undefined ? undefined : String(req.params.slug), req.query as Record<string, unknown>, store.site().feedSize);
    const coding: ContentCoding | undefined = deps.encodings.encodingFor(req.headers['accept-encoding']);
    if (coding === undefined) {
      throw new HttpError(406, 'none of the content codings this server has (br, gzip, identity) is acceptable per Accept-Encoding', { Vary: 'Accept-Encoding' });
    }
    const key = feedRequestKey(request);
    const path = feedPath(request.filter);
    const cached = cachedFeed(request, key, generation, now);
    // A request that waited on a render (its own, or one it joined) is a miss, even when the render failed.
    markCacheStatus(res, cached instanceof Promise ? 'miss' : cached.stale === true ? 'stale' : 'hit');
    if (!(cached instanceof Promise)) {
      const representation = cached.feed.ready(coding);
      if (representation !== undefined) return send(req, res, cached, representation, nowMs, generation, key, path);
      return void Promise.resolve(cached.feed.representation(coding)).then((r) => send(req, res, cached, r, nowMs, generation, key, path), next);
    }
    cached.then(async (value) => send(req, res, value, await value.feed.representation(coding), nowMs, generation, key, path)).catch(next);
  };

  for (const format of SERVED_FORMATS) {
    router.get(`/${FORMATS[format].fileName}`, serveFeed(format));
    for (const kind of FILTER_KINDS) router.get(`/${KIND_FOLDER[kind]}/:slug/${FORMATS[format].fileName}`, serveFeed(format, kind));
  }
  const prepare = async (format: DocumentFormat, filter: FeedFilter | undefined, coding: ContentCoding): Promise<void> => {
    const generation = cache.generation;
    const request = parseFeedRequest(format, filter?.kind, filter?.slug, {}, store.site().feedSize);
    const value = await cachedFeed(request, feedRequestKey(request), generation, clock(), 'prepare');
    await value.feed.representation(coding);
  };
  return { router, prepare };
}

function cacheControlValue(maxAge: number, staleWhileRevalidate: number, staleIfError: number): string {
  return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`;
}
