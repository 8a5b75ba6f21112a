import { isEntryModule } from './cli/entry.js';
import { createServer as createPlainServer } from 'node:http';
import { ConfigError, loadConfig } from './config/config.js';
import { loadSite } from './load/load-data.js';
import { openStore } from './store/open-store.js';
import { DatabaseStartError } from './store/postgres/postgres-store.js';
import type { OpenedStore } from './store/open-store.js';
import { SiteError } from './load/errors.js';
import { createApp } from './http/app.js';
import { KeysFileError } from './http/api-keys.js';
import { PartnersFileError } from './partners/partner.js';
import { activityPubOf, appDepsOf, ingestOptionsOf, partnersOf, startPublishing, startReadershipOf, statsStoreOf } from './assemble.js';
import { metricsHandler } from './http/metrics-route.js';
import { createServer } from './http/server.js';
import { createLogger, flushLogs, lineLogger } from './observe/logger.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * loadConfig → load → createApp → listen. Fails fast, with one log line, on
 * bad configuration or site.json. Everything it writes is a JSON log line on
 * standard output (readable lines when that is a terminal).
 */
export async function startServer(env: Env): Promise<void> {
  const pretty = process.stdout.isTTY === true;
  let config;
  let site;
  let siteOverrides;
  try {
    config = loadConfig(env);
    siteOverrides = { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: `http://localhost:${config.port}` };
    site = loadSite(config.dataDir, siteOverrides);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SiteError) {
      // LOG_LEVEL itself may be what is wrong: this one line is written at any level.
      createLogger({ level: 'info', pretty }).fatal(`wirefeed: cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, pretty });
  const log = lineLogger(logger);
  // prom-client only when METRICS=true (off by default): loading it cost ~110 ms of CPU at each start.
  const metrics = config.metrics ? (await import('./observe/metrics.js')).createMetrics() : undefined;
  // Before the store opens: a keys file that cannot be used stops the server before it loads or connects to anything.
  let ingest;
  let partners;
  try {
    ingest = ingestOptionsOf(config, log);
    partners = partnersOf(config);
  } catch (error) {
    if (!(error instanceof KeysFileError || error instanceof PartnersFileError)) throw error;
    logger.fatal(`wirefeed: cannot start: ${error.message}`);
    process.exit(1);
  }
  // The files backend opens at once and loads in the background (from the persisted index where it can);
  // PostgreSQL connects and checks its schema first. Until the store is ready, /readyz and every feed answer 503.
  let store: OpenedStore;
  try {
    store = await openStore({ config, site, siteOverrides, log, ...(metrics ? { onReload: metrics.observeReload } : {}) });
  } catch (error) {
    if (!(error instanceof DatabaseStartError)) throw error;
    logger.fatal(`wirefeed: cannot start: ${error.message}`);
    process.exit(1);
  }
  const stats = statsStoreOf(config);
  const activitypub = await activityPubOf(config, store, log);
  const { listener, readership: counter } = createApp(appDepsOf(config, { store, log, logger, ...(metrics ? { metrics } : {}), ...(ingest ? { ingest } : {}), ...(activitypub ? { activitypub } : {}), ...(partners ? { partners } : {}), ...(stats ? { stats } : {}), serveMetrics: config.metricsPort === undefined }));
  const readership = startReadershipOf(counter, stats, log, metrics);
  const fail = (what: string) => (error: Error) => {
    logger.fatal(`wirefeed: cannot listen on ${what}: ${error.message}`);
    process.exit(1);
  };
  const server = createServer(listener, { maxConnectionsPerClient: config.maxConnectionsPerClient }).listen(config.port, config.host, () => {
    logger.info(`wirefeed: listening on ${site.baseUrl}/ — loading articles; /readyz answers 200 once they are served`);
  });
  server.on('error', fail(`${config.host}:${config.port}`));
  // METRICS_PORT: /metrics on a port of its own, which a firewall can keep private.
  const metricsServer =
    metrics && config.metricsPort !== undefined
      ? createPlainServer(metricsHandler(metrics))
          .listen(config.metricsPort, config.host, () => logger.info(`wirefeed: metrics on ${config.host}:${config.metricsPort}/metrics`))
          .on('error', fail(`${config.host}:${config.metricsPort} (METRICS_PORT)`))
      : undefined;
  const stop = () => {
    metricsServer?.close();
    // The access log's last lines are still in its buffer (observe/logger.ts): written out before exiting.
    // The last minute of readership counts is stored before the store closes.
    server.close(() => void (readership?.stop() ?? Promise.resolve()).catch(() => undefined).then(() => activitypub?.close()).finally(() => store.close().finally(() => flushLogs(logger).finally(() => process.exit(0)))));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await store.whenReady;
  } catch (error) {
    logger.fatal(`wirefeed: cannot load the articles: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
  const health = await store.health(new Date());
  for (const problem of health.rejected) log(`rejected: ${problem.message}`, 'warn');
  for (const warning of health.warnings) log(`warning: ${warning.message}`, 'warn');
  store.start?.();
  startPublishing(config, store, log, metrics);
  activitypub?.start();
  logger.info(`wirefeed: serving ${health.articles} articles (${health.rejected.length} rejected) from ${store.backend} on ${site.baseUrl}/ — feeds: /rss.xml /atom.xml /feed.json`);
}


// `node dist/src/main.js` (npm start before the wirefeed command existed, and the tests) still starts the server.
if (isEntryModule(import.meta.url)) await startServer(process.env);
