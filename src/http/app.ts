import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { FeedMeta } from '../map/to-feed-model.js';
import { StaleArticleError } from '../model/stale.js';
import type { FeedFormat } from '../model/types.js';
import { FILTER_KINDS, KIND_FOLDER, type FeedFilter, type FilterKind } from '../query/directory.js';
import { resolveFeedView } from '../query/feed-view.js';
import { selectArticles } from '../query/select.js';
import { FEED_FORMATS, FORMATS, renderFeed } from '../render/render.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';
import { parseFeedQuery } from './feed-request.js';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
  readonly store: Store;
  /** The current time; tests fix it to check embargoes. */
  readonly clock?: () => Date;
  /** Hide error details (production). */
  readonly production?: boolean;
  readonly log?: (line: string) => void;
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

/** Builds the Express app. It does not listen: main.ts does. */
export function createApp(deps: AppDeps): express.Express {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.error(line));
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    next();
  });

  const serveFeed = (format: FeedFormat, kind?: FilterKind) => (req: Request, res: Response) => {
    const snapshot = deps.store.current();
    const { site } = snapshot;
    const query = parseFeedQuery(req.query as Record<string, unknown>, site.feedSize);
    const filter: FeedFilter | undefined = kind === undefined ? undefined : { kind, slug: filterSlug(kind, String(req.params.slug)) };
    const view = resolveFeedView(site, snapshot.articles, filter, query, clock());
    if (!view) throw new HttpError(404, `No ${kind} feed named ${JSON.stringify(filter?.slug.slice(0, 100))}. The list of feeds is at /feeds.opml and on the home page /.`);
    const meta: FeedMeta = { title: view.title, description: view.description, links: feedLinks(site.baseUrl, view.path), updated: view.updated };
    const body = renderFeed(format, { site, meta, articles: view.articles });
    res.status(200).type(FORMATS[format].mediaType).send(body);
  };
  for (const format of FEED_FORMATS) {
    app.get(`/${FORMATS[format].fileName}`, serveFeed(format));
    for (const kind of FILTER_KINDS) app.get(`/${KIND_FOLDER[kind]}/:slug/${FORMATS[format].fileName}`, serveFeed(format, kind));
  }

  app.get('/healthz', (_req, res) => {
    const snapshot = deps.store.current();
    const now = clock();
    res.status(200).json({
      status: 'ok',
      version: snapshot.version,
      articles: snapshot.articles.length,
      visible: selectArticles(snapshot.articles, { limit: Number.MAX_SAFE_INTEGER }, now).length,
      rejected: snapshot.rejected.map((e) => e.toJSON()),
      warnings: snapshot.warnings.map((e) => e.toJSON()),
    });
  });

  app.use((req, res) => {
    res.status(404).type('text/plain; charset=utf-8').send(`Not found: ${req.path.slice(0, 200)}. The feeds are at /rss.xml, /atom.xml and /feed.json.\n`);
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      return;
    }
    if (error instanceof StaleArticleError) {
      // A record changed under a lazily read body; the reload it triggers is moments away.
      res.setHeader('Retry-After', '1');
      res.status(503).type('text/plain; charset=utf-8').send(`${deps.production ? 'A data reload is pending' : error.message}; try again shortly.\n`);
      return;
    }
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      res.status(status).type('text/plain; charset=utf-8').send(`${(error as Error).message ?? 'Bad request'}\n`);
      return;
    }
    log(`error: ${(error as Error).stack ?? String(error)}`);
    res.status(500).type('text/plain; charset=utf-8').send(deps.production ? 'Internal server error\n' : `Internal server error: ${(error as Error).message}\n`);
  };
  app.use(onError);
  return app;
}
