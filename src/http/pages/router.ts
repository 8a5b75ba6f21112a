import express, { type Request, type Response } from 'express';
import { FILTER_KINDS, KIND_FOLDER, type FilterKind } from '../../model/feed-filter.js';
import { viewOfPage } from '../../query/resolve-feed.js';
import type { Store } from '../../store/store.js';
import { createEmbedRouter } from '../embed.js';
import { loadAssets, type Asset } from './assets.js';
import { mountPath } from './feed-links.js';
import { HOME_LATEST, renderHomePage } from './home.js';
import { OPML_MEDIA_TYPE, renderOpml } from './opml.js';
import { renderNotFoundPage, renderPreviewPage } from './preview.js';
import { isFresh, sendPage } from './respond.js';

export interface PagesDeps {
  readonly store: Store;
  readonly clock: () => Date;
  /** Static files; read from public/ when not given. */
  readonly assets?: ReadonlyMap<string, Asset>;
}

/** Sends a static file with its ETag; a versioned URL (?v=hash of these bytes) may be cached for a year. */
function sendAsset(req: Request, res: Response, asset: Asset, maxAge: number): void {
  const versioned = req.query.v === asset.version;
  res.setHeader('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : `public, max-age=${maxAge}`);
  res.setHeader('ETag', asset.etag);
  // Partner pages load the widget and its CSS cross-origin, also under Cross-Origin-Embedder-Policy.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (isFresh(req, asset.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type(asset.type).send(asset.body);
}

/**
 * Pages for people and partners: the home page (also the main feed's
 * page), a page per filtered feed at its folder URL, /feeds.opml, the
 * static CSS and scripts, /embed.js and the /embed frame.
 */
export function createPagesRouter(deps: PagesDeps): express.Router {
  const assets = deps.assets ?? loadAssets();
  const asset = (name: string): string => {
    const found = assets.get(name);
    if (!found) throw new Error(`unknown asset ${name}`);
    return `${mountPath(deps.store.site())}/assets/${name}?v=${found.version}`;
  };
  const router = express.Router();

  router.get('/assets/:name', (req, res, next) => {
    const found = assets.get(String(req.params.name));
    if (!found) return next();
    sendAsset(req, res, found, 300);
  });
  router.get('/embed.js', (req, res) => {
    // Partners reference this URL unversioned: an hour of caching lets fixes reach them the same day.
    sendAsset(req, res, assets.get('embed.js') as Asset, 3600);
  });

  router.get('/', async (req, res) => {
    const site = deps.store.site();
    const now = deps.clock();
    const [directory, latest] = await Promise.all([deps.store.directory(now), deps.store.feedPage(undefined, { limit: Math.min(HOME_LATEST, site.feedSize) }, now)]);
    const articles = latest?.articles ?? [];
    const translations = await deps.store.translations(articles, now);
    sendPage(req, res, 200, renderHomePage({ site, feeds: directory.feeds, latest: articles, asset, translations: (a) => translations.links.get(a.id) ?? [] }));
  });

  router.get('/feeds.opml', async (_req, res) => {
    const site = deps.store.site();
    const directory = await deps.store.directory(deps.clock());
    const body = renderOpml(site, directory.feeds, directory.updated);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Content-Disposition', 'inline; filename="feeds.opml"');
    res.status(200).type(OPML_MEDIA_TYPE).send(body);
  });

  const servePreview = (kind: FilterKind) => async (req: Request, res: Response) => {
    if (!req.path.endsWith('/')) {
      // One URL per page: /sections/korea → /sections/korea/ (the folder URL feeds and Atom author URIs use).
      res.redirect(301, `${req.baseUrl}${req.path}/`);
      return;
    }
    const site = deps.store.site();
    const now = deps.clock();
    const slug = String(req.params.slug).normalize('NFKC').toLowerCase();
    const filter = { kind, slug };
    const page = await deps.store.feedPage(filter, { limit: site.feedSize }, now);
    if (!page) {
      const message = `We have no ${kind} feed named “${slug.slice(0, 100)}”. It may never have existed, or its stories are not published yet.`;
      sendPage(req, res, 404, renderNotFoundPage(site, message, asset));
      return;
    }
    const translations = await deps.store.translations(page.articles, now);
    sendPage(req, res, 200, renderPreviewPage(site, viewOfPage(site, filter, page), asset, (a) => translations.links.get(a.id) ?? []));
  };
  for (const kind of FILTER_KINDS) router.get(`/${KIND_FOLDER[kind]}/:slug/`, servePreview(kind));

  router.use(createEmbedRouter({ store: deps.store, clock: deps.clock, asset }));
  return router;
}
