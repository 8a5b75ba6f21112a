import express from 'express';
import { isVisible, newestChange } from '../model/feed-query.js';
import { NEWS_MAX_URLS, selectNewsArticles } from '../query/news-sitemap.js';
import { NEWS_SITEMAP_MEDIA_TYPE, renderNewsSitemap } from '../render/news-sitemap.js';
import { NINJS_MEDIA_TYPE, ninjsArticleDocument } from '../render/ninjs.js';
import type { Store } from '../store/store.js';
import { cacheControlUntil, serveCachedDocument } from './cached-document.js';
import { HttpError } from './errors.js';
import type { FeedCache } from './feed-cache.js';
import type { FeedCaching } from './feed-routes.js';
import type { NegotiationCache } from './compress.js';
import { guardQuery } from './query-guard.js';

const NINJS_SUFFIX = '.ninjs.json';

export interface SyndicationRoutesDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly caching: FeedCaching;
  /** The app's response cache, shared with the feeds (keys here start with a path no feed has). */
  readonly cache: FeedCache;
  /** The app's Accept-Encoding memo (shared with the feed routes). */
  readonly encodings: NegotiationCache;
}

/** robots.txt: crawlers may read everything; the news sitemap is announced here, where Google looks for it. */
export function renderRobotsTxt(baseUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${baseUrl}/news-sitemap.xml\n`;
}

/**
 * Syndication beyond the feeds: the Google News sitemap, robots.txt and
 * each article as ninjs (the ninjs feeds are in the feed routes' table).
 * Route glue only: selection is in query/, documents in render/.
 */
export function createSyndicationRoutes(deps: SyndicationRoutesDeps): express.Router {
  const { store, clock, cache, caching, encodings } = deps;
  const router = express.Router();

  router.get('/news-sitemap.xml', guardQuery('/news-sitemap.xml'), (req, res, next) => {
    const generation = cache.generation;
    const now = clock();
    serveCachedDocument(req, res, next, {
      cache,
      encodings,
      generation,
      now: now.getTime(),
      key: '/news-sitemap.xml',
      render: async () => {
        const page = await store.feedPage(undefined, { limit: NEWS_MAX_URLS }, now);
        const view = selectNewsArticles(page?.articles ?? [], now, page?.nextRelease);
        return {
          body: await renderNewsSitemap(store.site(), view.articles),
          contentType: NEWS_SITEMAP_MEDIA_TYPE,
          lastModified: view.articles.length === 0 ? new Date(0) : newestChange(view.articles),
          // Valid until an embargo release or the oldest story leaving the two-day window.
          ...(view.nextChange === undefined ? {} : { nextRelease: view.nextChange }),
        };
      },
      cacheControl: (nextChange) => cacheControlUntil(caching, nextChange, now.getTime()),
    });
  });

  router.get('/articles/:file', guardQuery('/articles/:file'), async (req, res, next) => {
    const file = String(req.params.file);
    const id = file.endsWith(NINJS_SUFFIX) ? file.slice(0, -NINJS_SUFFIX.length) : undefined;
    if (id === undefined) return next();
    const generation = cache.generation;
    const now = clock();
    const article = await store.article(id);
    // Drafts and embargoed stories do not exist for partners until readers may see them.
    if (article === undefined || !isVisible(article, now)) throw new HttpError(404, `No published article with id ${JSON.stringify(id.slice(0, 200))}. Articles are listed in /ninjs.json.`);
    serveCachedDocument(req, res, next, {
      cache,
      encodings,
      generation,
      now: now.getTime(),
      key: `/articles/${id}.ninjs.json`,
      render: async () => {
        const translations = await store.translations([article], now);
        return {
          body: ninjsArticleDocument(article, translations.links.get(article.id) ?? [], store.site()),
          contentType: NINJS_MEDIA_TYPE,
          lastModified: article.updated,
          // No cache may keep the document past the release of a translation it will then link to.
          ...(translations.nextRelease === undefined ? {} : { nextRelease: translations.nextRelease }),
        };
      },
      cacheControl: (nextChange) => cacheControlUntil(caching, nextChange, now.getTime()),
    });
  });

  router.get('/robots.txt', guardQuery('/robots.txt'), (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.status(200).type('text/plain; charset=utf-8').send(renderRobotsTxt(store.site().baseUrl));
  });
  return router;
}
