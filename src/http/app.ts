import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { FeedCachingConfig } from '../config/config.js';
import { StaleArticleError } from '../model/stale.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { cors } from './cors.js';
import { createPagesRouter } from './pages/router.js';
import { createIngestRouter, type IngestOptions } from './api.js';
import { HttpError } from './errors.js';
import { FeedCache } from './feed-cache.js';
import { createFeedRoutes, DEFAULT_FEED_CACHING } from './feed-routes.js';
import { FastPath } from './fast-path.js';
import { installGuards, refuseOtherMethods, type GuardOptions } from './guards.js';
import { createReadiness, storeReady } from './readiness.js';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
  readonly store: Store;
  /** The current time; tests fix it to check embargoes. */
  readonly clock?: () => Date;
  /** Hide error details (production). */
  readonly production?: boolean;
  readonly log?: (line: string) => void;
  /** Cache-Control lifetimes and in-memory cache bounds (config: FEED_*); defaults when absent. */
  readonly caching?: Partial<FeedCachingConfig>;
  /** WebSub hub every feed announces (config: WEBSUB_HUB). */
  readonly websubHub?: string;
  /** The rendered-feed cache; tests pass one to read its counters. */
  readonly feedCache?: FeedCache;
  /** The ingest API at /api (only when INGEST_TOKEN is set). */
  readonly ingest?: IngestOptions;
  /** Rate limit, trusted proxy, URL limits (src/http/guards.ts). */
  readonly guards?: GuardOptions;
}

export { feedLinks } from './feed-routes.js';

/**
 * The request listener to serve an app with: its fast path for repeat feed
 * requests in front (when it has one), then the app.
 */
export function requestListener(app: express.Express): RequestListener {
  const fastPath = app.locals.fastPath as FastPath | undefined;
  return fastPath ? fastPath.listener(app) : app;
}

/** Builds the Express app. It does not listen: main.ts does. */
export function createApp(deps: AppDeps): express.Express {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.error(line));
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  installGuards(app, deps.guards);

  app.use(cors());
  // Before everything that reads the store: nothing is served from a store still loading.
  app.use(createReadiness(deps.store));

  if (deps.ingest) app.use('/api', createIngestRouter(deps.store, deps.ingest, clock));

  const feedCache = deps.feedCache ?? new FeedCache({ maxEntries: deps.caching?.cacheEntries ?? 1000, maxBytes: deps.caching?.cacheBytes ?? 64 * 1024 * 1024 });
  // Repeat feed requests are answered before Express (see fast-path.ts), except under a rate limit, which Express applies.
  const fastPath = deps.guards?.rateLimit ? undefined : new FastPath(() => feedCache.generation, clock);
  app.use(createFeedRoutes({ store: deps.store, clock, cache: feedCache, caching: { ...DEFAULT_FEED_CACHING, ...deps.caching }, ...(deps.websubHub === undefined ? {} : { hub: deps.websubHub }), ...(fastPath ? { fastPath } : {}) }));
  app.locals.fastPath = fastPath;

  app.get('/healthz', async (_req, res) => {
    // Liveness: the process answers, loaded or not (readiness is /readyz).
    if (!storeReady(deps.store)) {
      res.status(200).json({ status: 'loading', backend: deps.store.backend, version: deps.store.version() });
      return;
    }
    const health = await deps.store.health(clock());
    res.status(200).json({
      status: health.up ? 'ok' : 'degraded',
      backend: health.backend,
      database: health.backend === 'postgres' ? (health.up ? 'up' : 'down') : undefined,
      version: deps.store.version(),
      articles: health.articles,
      visible: health.visible,
      rejected: health.rejected.map((e) => e.toJSON()),
      warnings: health.warnings.map((e) => e.toJSON()),
    });
  });

  app.use(createPagesRouter({ store: deps.store, clock }));

  app.use(refuseOtherMethods());
  app.use((req, res) => {
    res.status(404).type('text/plain; charset=utf-8').send(`Not found: ${req.path.slice(0, 200)}. The feeds are at /rss.xml, /atom.xml and /feed.json.\n`);
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      return;
    }
    if (error instanceof StoreUnavailableError) {
      // The database is unreachable: nothing cached to serve, so say when to come back instead of failing.
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(503).type('text/plain; charset=utf-8').send(`${deps.production ? 'The article store is unavailable' : error.message}; try again shortly.\n`);
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
