import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApp } from './http/app.js';
import { mountPath } from './http/pages/feed-links.js';
import { loadSite } from './load/load-data.js';
import { createLogger, flushLogs, lineLogger } from './observe/logger.js';
import { openStore } from './store/open-store.js';
import { activityPubOf, appDepsOf, ingestOptionsOf, partnersOf, startPublishing, startReadershipOf, statsStoreOf } from './assemble.js';
import { configFromOptions, WirefeedOptionError, type WirefeedOptions } from './wirefeed-options.js';

/**
 * The router: an Express middleware serving everything under its mount path.
 * Typed with Node's own request and response types, so `app.use('/feeds',
 * router)` type-checks against Express's types and the package's types need
 * no @types/express in the host's dependencies.
 */
export type WirefeedRouter = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** What createWirefeed gives the host app. */
export interface Wirefeed {
  /** Every feed, page, the widget and the APIs; mount it where siteUrl says: `app.use('/feeds', router)`. */
  readonly router: WirefeedRouter;
  /**
   * Resolves once the articles are loaded and served (at once on
   * PostgreSQL); until then the router answers 503 with Retry-After, as the
   * standalone server does. Rejects if they cannot be loaded.
   */
  readonly ready: Promise<void>;
  /** Stops watching, pinging the hub and reading the store; the router must not be used afterwards. */
  close(): Promise<void>;
}

/** A URL no site answers (RFC 2606): stands for "no siteUrl and no baseUrl in site.json". */
const NO_BASE_URL = 'http://site-url-missing.invalid';

/**
 * wirefeed as a router for an existing Express app: the standalone server's
 * configuration (in camelCase options, validated as the variables are), its
 * store (files in dataDir, or PostgreSQL with databaseUrl) and its app, with
 * no listener, no signal handlers and no process.exit. Feed self links,
 * paging links, pages and the widget carry the path of `siteUrl`, which must
 * therefore be where the router is mounted.
 */
export async function createWirefeed(options: WirefeedOptions = {}): Promise<Wirefeed> {
  const config = configFromOptions(options);
  const siteOverrides = { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: NO_BASE_URL };
  const site = loadSite(config.dataDir, siteOverrides);
  // The standalone server falls back to http://localhost:PORT; a router does not know its host, port or mount path.
  if (site.baseUrl === NO_BASE_URL) {
    throw new WirefeedOptionError('siteUrl', 'SITE_URL', 'is required (or baseUrl in site.json): the public URL where the router is mounted, such as https://news.example.org/feeds');
  }
  // WebFinger lives at the host's root (/.well-known/webfinger), which a router mounted under a path never sees.
  if (config.activitypub && new URL(site.baseUrl).pathname.replace(/\/$/, '') !== '') {
    throw new WirefeedOptionError('activitypub', 'ACTIVITYPUB', `needs the router mounted at the root of its host, but siteUrl ${site.baseUrl} has a path (docs/activitypub.md)`);
  }
  const logger = createLogger({ level: config.logLevel, pretty: false, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const log = lineLogger(logger);
  // prom-client only when METRICS=true (off by default): loading it cost ~110 ms of CPU at each start.
  const metrics = config.metrics ? (await import('./observe/metrics.js')).createMetrics() : undefined;
  // A keys file that cannot be used fails here, before the store opens (KeysFileError).
  const ingest = ingestOptionsOf(config, log);
  // Likewise a partners file (PartnersFileError).
  const partners = partnersOf(config);
  const store = await openStore({ config, site, siteOverrides, log, ...(metrics ? { onReload: metrics.observeReload } : {}) });
  // The standalone server's listener, access log and fast path included: under a mount Express has
  // already taken the mount path off req.url, so the fast path's keys are the same paths. The app
  // answers every request itself (an unknown path is its own 404), so it never calls `next`.
  const stats = statsStoreOf(config);
  const activitypub = await activityPubOf(config, store, log);
  const { listener, readership: counter, preparation } = createApp(appDepsOf(config, { store, log, logger, ...(metrics ? { metrics } : {}), ...(ingest ? { ingest } : {}), ...(activitypub ? { activitypub } : {}), ...(partners ? { partners } : {}), ...(stats ? { stats } : {}) }));
  const readership = startReadershipOf(counter, stats, log, metrics);

  let publisher: { stop(): void } | undefined;
  let closed = false;
  const ready = store.whenReady.then(async () => {
    // The app's own readiness: the main feed in its cache (http/feed-preparation.ts).
    await preparation?.mainFeed;
    if (closed) return;
    const health = await store.health(new Date());
    for (const problem of health.rejected) log(`rejected: ${problem.message}`, 'warn');
    for (const warning of health.warnings) log(`warning: ${warning.message}`, 'warn');
    store.start?.();
    publisher = startPublishing(config, store, log, metrics);
    activitypub?.start();
    log(`wirefeed: serving ${health.articles} articles (${health.rejected.length} rejected) from ${store.backend} at ${site.baseUrl}/`);
  });
  // Logged here, so a host that never awaits `ready` gets a log line, not an unhandled rejection that ends the process.
  ready.catch((error: unknown) => log(`wirefeed: cannot load the articles: ${(error as Error).stack ?? String(error)}`, 'error'));

  const expectedMount = mountPath(site);
  let warned = false;
  const router: WirefeedRouter = (req, res) => {
    // Mounted elsewhere than siteUrl says, every link in the feeds and pages would point to the wrong place: say so, once.
    const mountedAt = (req as { baseUrl?: unknown }).baseUrl;
    if (!warned && typeof mountedAt === 'string' && mountedAt !== expectedMount) {
      warned = true;
      log(`wirefeed: mounted at ${JSON.stringify(mountedAt || '/')} but siteUrl ${site.baseUrl} has the path ${JSON.stringify(expectedMount || '/')}: feed and page links point there; mount the router there or change siteUrl`, 'warn');
    }
    listener(req, res);
  };
  return {
    router,
    ready,
    close: async () => {
      if (closed) return;
      closed = true;
      publisher?.stop();
      await activitypub?.close();
      await readership?.stop().catch((error: unknown) => log(`stats: the last counts were not stored: ${(error as Error).message}`, 'warn'));
      await store.close();
      // Access lines wait in a buffer (observe/logger.ts): out before the host exits.
      await flushLogs(logger);
    },
  };
}
