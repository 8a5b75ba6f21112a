import express from 'express';
import { nextSiblingRelease, visibleSiblings } from '../model/translations.js';
import { isVisible, newestChange } from '../query/select.js';
import { selectNewsArticles } from '../query/news-sitemap.js';
import { NEWS_SITEMAP_MEDIA_TYPE, renderNewsSitemap } from '../render/news-sitemap.js';
import { NINJS_MEDIA_TYPE, ninjsArticleDocument } from '../render/ninjs.js';
import type { Store } from '../store/store.js';
import { cacheControlUntil, serveCachedDocument } from './cached-document.js';
import { HttpError } from './errors.js';
import type { FeedCache } from './feed-cache.js';
import type { FeedCaching } from './feed-routes.js';

const NINJS_SUFFIX = '.ninjs.json';

export interface SyndicationRoutesDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly caching: FeedCaching;
  /** The app's response cache, shared with the feeds (keys here start with a path no feed has). */
  readonly cache: FeedCache;
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
  const { store, clock, cache, caching } = deps;
  const router = express.Router();

  router.get('/news-sitemap.xml', (req, res, next) => {
    const snapshot = store.current();
    const generation = cache.generation;
    const now = clock();
    const view = selectNewsArticles(snapshot.articles, now);
    serveCachedDocument(req, res, next, {
      cache,
      generation,
      // The selection within one data version is fixed by its index range in the newest-first list.
      key: `/news-sitemap.xml\n${view.from}\n${view.to}\n${view.articles.length}`,
      render: async () => ({
        body: await renderNewsSitemap(snapshot.site, view.articles),
        contentType: NEWS_SITEMAP_MEDIA_TYPE,
        lastModified: view.articles.length === 0 ? new Date(0) : newestChange(view.articles),
        ...(view.nextChange === undefined ? {} : { nextRelease: view.nextChange }),
      }),
      cacheControl: (nextChange) => cacheControlUntil(caching, nextChange, now.getTime()),
    });
  });

  router.get('/articles/:file', (req, res, next) => {
    const file = String(req.params.file);
    const id = file.endsWith(NINJS_SUFFIX) ? file.slice(0, -NINJS_SUFFIX.length) : undefined;
    if (id === undefined) return next();
    const snapshot = store.current();
    const generation = cache.generation;
    const now = clock();
    const article = snapshot.byId.get(id);
    // Drafts and embargoed stories do not exist for partners until readers may see them.
    if (article === undefined || !isVisible(article, now)) throw new HttpError(404, `No published article with id ${JSON.stringify(id.slice(0, 200))}. Articles are listed in /ninjs.json.`);
    const translations = visibleSiblings(snapshot.translations, article, now);
    const siblingRelease = nextSiblingRelease(snapshot.translations, [article], now);
    serveCachedDocument(req, res, next, {
      cache,
      generation,
      // The visible translations are part of the document: a released one makes a new entry.
      key: `/articles/${id}.ninjs.json\n${translations.map((t) => t.id).join(' ')}`,
      render: () => ({
        body: ninjsArticleDocument(article, translations, snapshot.site),
        contentType: NINJS_MEDIA_TYPE,
        lastModified: article.updated,
        // No cache may keep the document past the release of a translation it will then link to.
        ...(siblingRelease === undefined ? {} : { nextRelease: siblingRelease }),
      }),
      cacheControl: (nextChange) => cacheControlUntil(caching, nextChange, now.getTime()),
    });
  });

  router.get('/robots.txt', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.status(200).type('text/plain; charset=utf-8').send(renderRobotsTxt(store.current().site.baseUrl));
  });
  return router;
}
