import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { FeedCachingConfig } from '../config/config.js';
import { StaleArticleError } from '../model/stale.js';
import { FeedRequestError } from '../query/errors.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { cors, installGuards, refuseOtherMethods, type GuardOptions, createReadiness, storeReady } from './guards.js';
import { createPagesRouter } from './pages/router.js';
import { createIngestRouter, type IngestOptions } from './api.js';
import { HttpError, isApiPath, sendError } from './errors.js';
import { FeedCache } from './feed-cache.js';
import { NegotiationCache } from './compress.js';
import { createFeedRoutes, DEFAULT_FEED_CACHING } from './feed-routes.js';
import { startFeedPreparation, type FeedPreparation } from './feed-preparation.js';
import { FastPath } from './fast-path.js';
import { clientAddress } from './rate-limit.js';
import { logToStderr } from '../model/log-line.js';
import { metricsHandler } from './metrics-route.js';
import { classifyRequest, echoRequestId, observeRequests, type ObserveOptions } from './observe-requests.js';
import { ReadershipCounter } from '../stats/counter.js';
import type { StatsStore } from '../stats/day-stats.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { createSyndicationRoutes } from './syndication-routes.js';
import { createPartnerRoutes } from './partner-routes.js';
import type { Partner } from '../partners/partner.js';

/** What the app needs from outside; tests pass their own. */
export interface AppDeps {
  readonly store: Store;
  /** The current time; tests fix it to check embargoes. */
  readonly clock?: () => Date;
  /** Hide error details (production). */
  readonly production?: boolean;
  /** Unexpected errors (500s) are reported here. */
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Access log: one line per request (see observe-requests.ts). */
  readonly logger?: Logger;
  /** Prometheus metrics; served at /metrics unless `serveMetrics` is false (METRICS_PORT: main serves them apart). */
  readonly metrics?: Metrics;
  readonly serveMetrics?: boolean;
  /** Cache-Control lifetimes and in-memory cache bounds (config: FEED_*); defaults when absent. */
  readonly caching?: Partial<FeedCachingConfig>;
  /** WebSub hub every feed announces (config: WEBSUB_HUB). */
  readonly websubHub?: string;
  /** The rendered-feed cache; tests pass one to read its counters. */
  readonly feedCache?: FeedCache;
  /** The ingest API at /api (only when INGEST_TOKEN or KEYS_FILE is set). */
  readonly ingest?: IngestOptions;
  /** Rate limit, trusted proxy, URL limits (src/http/guards.ts). */
  readonly guards?: GuardOptions;
  /** ACTIVITYPUB: WebFinger and the actors' routes (src/activitypub/). */
  readonly activitypub?: RequestHandler;
  /** Partners' private feeds at /partners/{id}/ (config: PARTNERS_FILE); none when absent. */
  readonly partners?: readonly Partner[];
  /** Readership counts (STATS, on by default): counted per request, read by GET /api/stats. Absent: nothing is counted. */
  readonly stats?: StatsStore;
  /**
   * The store's first load (OpenedStore.whenReady). When given, the app renders the main feed into its
   * cache once it resolves and /readyz waits for that, then the busiest feeds follow in the background
   * (feed-preparation.ts). Absent: nothing is prepared (tests that want a cold cache).
   */
  readonly whenStoreReady?: Promise<unknown>;
}


/** What createApp builds: the Express app, the listener to serve it with, and the parts tests observe. */
export interface WirefeedApp {
  /**
   * The Express app: guards, routes, pages and APIs. Serve `listener`, not
   * this: without it, repeat feed requests miss the fast path and no request
   * is logged or counted.
   */
  readonly app: express.Express;
  /**
   * The Node request listener to serve (http.createServer(listener), or
   * mounted as a handler in another app): the fast path for repeat feed
   * requests in front of `app`, the access log and metrics around both.
   */
  readonly listener: RequestListener;
  /** The fast path in `listener`; tests read its `hits`. */
  readonly fastPath: FastPath;
  /** Readership counted by `listener` when `stats` was given; the caller flushes it (stats/flush.ts). */
  readonly readership?: ReadershipCounter;
  /** Present with `whenStoreReady`: the main feed's and the busiest feeds' documents going into the cache. */
  readonly preparation?: FeedPreparation;
}

/** Builds the app and its listener. It does not listen: main.ts does. */
export function createApp(deps: AppDeps): WirefeedApp {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? logToStderr;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // X-Request-Id on every answer Express writes, 429s from the guards included (the fast path writes its own).
  app.use(echoRequestId);
  const rateLimit = installGuards(app, deps.guards);

  app.use(cors());
  // Before everything that reads the store: nothing is served from a store still loading. Set once the feed routes exist.
  let preparation: FeedPreparation | undefined;
  app.use(createReadiness(deps.store, () => preparation?.preparing() ?? false));

  if (deps.activitypub) app.use(deps.activitypub);
  if (deps.ingest) app.use('/api', createIngestRouter(deps.store, deps.stats ? { ...deps.ingest, stats: deps.stats } : deps.ingest, clock));

  const { metrics } = deps;
  const feedCache =
    deps.feedCache ??
    new FeedCache({ maxEntries: deps.caching?.cacheEntries ?? 1000, maxBytes: deps.caching?.cacheBytes ?? 64 * 1024 * 1024, ...(metrics ? { onCompressed: metrics.observeCompression } : {}) });
  // Repeat feed requests are answered before Express (see fast-path.ts); a rate limit is applied there first.
  const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const admit = rateLimit && ((req: IncomingMessage) => rateLimit.admit(req, clientAddress(req, trust)).allowed);
  // Epoch milliseconds for the freshness check of every replay: Date.now unless a clock was given (no Date per request).
  const nowMs = deps.clock === undefined ? Date.now : () => clock().getTime();
  const fastPath = new FastPath((key, generation, cached, now, forMs) => feedCache.isFresh(key, generation, cached, now, forMs), nowMs, admit);
  // One budget (FEED_CACHE_MB) for every cached byte: the fast path lets go of what the cache drops.
  feedCache.onDrop((feed) => fastPath.forgetFeed(feed));
  // One Accept-Encoding memo for this app's feeds and documents.
  const encodings = new NegotiationCache();
  const feedRoutes = createFeedRoutes({ store: deps.store, clock, cache: feedCache, encodings, caching: { ...DEFAULT_FEED_CACHING, ...deps.caching }, ...(deps.websubHub === undefined ? {} : { hub: deps.websubHub }), fastPath, ...(metrics ? { onRender: metrics.observeRender } : {}) });
  app.use(feedRoutes.router);
  if (deps.whenStoreReady !== undefined) preparation = startFeedPreparation({ store: deps.store, whenStoreReady: deps.whenStoreReady, prepare: feedRoutes.prepare, cache: feedCache, log });
  if (metrics) metrics.watchStore(deps.store, clock);
  if (metrics) metrics.watchCache(feedCache);
  if (metrics && deps.serveMetrics !== false) app.get('/metrics', metricsHandler(metrics));
  if (deps.partners !== undefined && deps.partners.length > 0) {
    app.use(createPartnerRoutes({ store: deps.store, partners: deps.partners, clock, cache: feedCache, encodings, caching: { ...DEFAULT_FEED_CACHING, ...deps.caching } }));
  }
  app.use(createSyndicationRoutes({ store: deps.store, clock, cache: feedCache, encodings, caching: { ...DEFAULT_FEED_CACHING, ...deps.caching } }));

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
    const what = isApiPath(req.path) && !deps.ingest ? 'the ingest API is off (neither INGEST_TOKEN nor KEYS_FILE is set)' : 'the feeds are at /rss.xml, /atom.xml and /feed.json';
    sendError(req, res, 404, `Not found: ${req.path.slice(0, 200)}; ${what}.`);
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    if (error instanceof FeedRequestError) {
      res.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      return;
    }
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      sendError(req, res, error.status, error.message);
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
      sendError(req, res, status, (error as Error).message ?? 'Bad request');
      return;
    }
    log(`error: ${(error as Error).stack ?? String(error)}`, 'error');
    sendError(req, res, 500, deps.production ? 'Internal server error' : `Internal server error: ${(error as Error).message}`);
  };
  app.use(onError);
  // Replayed answers are counted too: the counter sits in the access hook, around the fast path.
  const readership = deps.stats && new ReadershipCounter({ isFeed: (path) => classifyRequest(path).format !== 'none', addressOf: (req) => clientAddress(req, trust) ?? '', now: deps.clock ? () => clock().getTime() : Date.now });
  const observe: ObserveOptions = { ...(deps.logger ? { logger: deps.logger } : {}), ...(metrics ? { metrics } : {}), ...(readership ? { readership } : {}) };
  return { app, listener: observeRequests(app, observe, fastPath), fastPath, ...(readership ? { readership } : {}), ...(preparation ? { preparation } : {}) };
}
