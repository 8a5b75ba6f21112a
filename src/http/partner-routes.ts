import express, { type NextFunction, type Request, type Response } from 'express';
import { FILTER_KINDS, KIND_FOLDER, type FilterKind } from '../model/feed-filter.js';
import type { DocumentFormat } from '../model/types.js';
import { findBySecret } from '../model/secret.js';
import type { Partner } from '../partners/partner.js';
import { resolvePartnerFeed } from '../partners/partner-feed.js';
import { ArticleTransform } from '../partners/syndicated-article.js';
import { feedRequestKey, parseFeedRequest } from '../query/resolve-feed.js';
import { FORMATS, RenderCache, renderFeed, SERVED_FORMATS } from '../render/render.js';
import type { Store } from '../store/store.js';
import type { ContentCoding, NegotiationCache } from './compress.js';
import { HttpError } from './errors.js';
import { FeedCache, replyOf, type CachedFeed } from './feed-cache.js';
import type { FeedCaching } from './feed-routes.js';
import { lifetimesUntil } from './cached-document.js';
import { markCacheStatus, writeReply } from './reply.js';

export interface PartnerRoutesDeps {
  readonly store: Store;
  readonly partners: readonly Partner[];
  readonly clock: () => Date;
  readonly caching: FeedCaching;
  /** The app's feed cache: partner documents share its budget, under keys of their own. */
  readonly cache: FeedCache;
  readonly encodings: NegotiationCache;
}

/** One answer for a wrong key, a missing key and an unknown partner, so a 401 says nothing about which partners exist. */
const UNAUTHORIZED = (): HttpError =>
  new HttpError(401, 'A partner feed needs its key: send "Authorization: Bearer <key>", or add ?key=<key> for a reader that cannot send headers.', { 'WWW-Authenticate': 'Bearer realm="wirefeed partners"' });

/**
 * The partners' private feeds (issue 26): /partners/{id}/rss.xml, atom.xml,
 * feed.json, ninjs.json and the filtered ones under sections, tags,
 * languages and authors, with the public feeds' limits, cursors,
 * conditional GET and compression. Each is the partner's view
 * (partners/partner-feed.ts), rendered by the same renderers, cached in the
 * app's feed cache under its own key, and answered `Cache-Control: private`
 * so no shared cache hands one partner's feed to another.
 *
 * No WebSub hub is announced and none is pinged for these feeds: a hub
 * fetches the topic to pass it on, which it could do only with the
 * partner's key, and it would then hold the partner's feed.
 */
export function createPartnerRoutes(deps: PartnerRoutesDeps): express.Router {
  const { store, cache, caching } = deps;
  const renderCache = new RenderCache();
  const transforms = new Map<string, { agencies: readonly string[] | undefined; transform: ArticleTransform }>();
  const router = express.Router();

  /** The partner's transform, made again when site.json's agencies change (a reload). */
  const transformOf = (partner: Partner): ArticleTransform => {
    const agencies = store.site().agencies;
    const held = transforms.get(partner.id);
    if (held !== undefined && held.agencies === agencies) return held.transform;
    const transform = new ArticleTransform({ content: partner.content, images: partner.images, agencies: agencies ?? [] });
    transforms.set(partner.id, { agencies, transform });
    return transform;
  };

  /** private, and no longer than until the partner's next release (a story's `published + delay`, or an embargo). */
  const cacheControl = (nextRelease: number | undefined, now: number): string => `private, max-age=${lifetimesUntil(caching, nextRelease, now).maxAge}`;

  /** The partner the request proves it is, or a 401. The key compared in constant time (model/secret.ts). */
  const authenticate = (req: Request): { partner: Partner; keyInUrl?: string } => {
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    const inUrl = req.query.key;
    if (inUrl !== undefined && typeof inUrl !== 'string') throw UNAUTHORIZED();
    const secret = bearer ?? inUrl;
    const partner = secret === undefined || secret === '' ? undefined : findBySecret(deps.partners, secret);
    if (partner === undefined || partner.id !== String(req.params.id)) throw UNAUTHORIZED();
    return { partner, ...(bearer === undefined && inUrl !== undefined ? { keyInUrl: inUrl } : {}) };
  };

  const serve = (format: DocumentFormat, kind?: FilterKind) => (req: Request, res: Response, next: NextFunction) => {
    const { partner, keyInUrl } = authenticate(req);
    const generation = cache.generation;
    const now = deps.clock();
    const nowMs = now.getTime();
    const { key: _key, ...query } = req.query as Record<string, unknown>;
    const request = parseFeedRequest(format, kind, kind === undefined ? undefined : String(req.params.slug), query, store.site().feedSize);
    const coding: ContentCoding | undefined = deps.encodings.encodingFor(req.headers['accept-encoding']);
    if (coding === undefined) throw new HttpError(406, 'none of the content codings this server has (br, gzip, identity) is acceptable per Accept-Encoding', { Vary: 'Accept-Encoding' });
    // The public key's grouping (format, feed path, query) so a change goes stale here when it does there; the
    // partner and whether links carry the key after it. Never the key itself.
    const cacheKey = `${feedRequestKey(request)}\npartner ${partner.id}${keyInUrl === undefined ? '' : ' key-in-url'}`;
    const cached = cache.get(cacheKey, generation, nowMs, async () => {
      const transform = transformOf(partner);
      const { site, view, links, translations, nextRelease } = await resolvePartnerFeed(store, partner, request, now, transform, keyInUrl);
      const { self, ...extras } = links;
      const meta = { title: view.title, description: view.description, path: view.path, links: self, updated: view.updated };
      return {
        body: renderFeed(format, { site, meta, articles: view.articles, extras, translations: (article) => translations.links.get(article.id) ?? [] }, renderCache),
        contentType: FORMATS[format].mediaType,
        lastModified: view.updated,
        ...(nextRelease === undefined ? {} : { nextRelease }),
      };
    });
    markCacheStatus(res, cached instanceof Promise ? 'miss' : cached.stale === true ? 'stale' : 'hit');
    const send = async (value: CachedFeed) => {
      const representation = await value.feed.representation(coding);
      res.setHeader('Cache-Control', cacheControl(value.nextRelease, nowMs));
      writeReply(req, res, replyOf(value.feed, representation));
    };
    Promise.resolve(cached).then(send).catch(next);
  };

  for (const format of SERVED_FORMATS) {
    router.get(`/partners/:id/${FORMATS[format].fileName}`, serve(format));
    for (const kind of FILTER_KINDS) router.get(`/partners/:id/${KIND_FOLDER[kind]}/:slug/${FORMATS[format].fileName}`, serve(format, kind));
  }
  return router;
}
