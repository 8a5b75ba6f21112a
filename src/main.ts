import { ConfigError, loadConfig } from './config/config.js';
import { loadSite } from './load/load-data.js';
import { resolveCacheDir } from './store/files/cache-dir.js';
import { openFilesStore } from './store/files/open-files-store.js';
import { SiteError } from './load/errors.js';
import { createApp, requestListener } from './http/app.js';
import { startWebSubPublisher } from './websub/publisher.js';
import { createServer } from './http/server.js';

/** loadConfig → open the store → createApp → listen at once; ready once loaded. Fails fast, with one message, on bad configuration or site.json. */
async function main(): Promise<void> {
  let config;
  let site;
  let siteOverrides;
  try {
    config = loadConfig(process.env);
    siteOverrides = { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: `http://localhost:${config.port}` };
    site = loadSite(config.dataDir, siteOverrides);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SiteError) {
      console.error(`wirefeed: cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = (line: string): void => console.error(line);
  const cache = resolveCacheDir(config.dataDir, config.cacheDir);
  if (!cache.ok) log(`load: no article index (${cache.problem}); every start reads every file`);
  else if (cache.note !== undefined) log(`load: ${cache.note}`);
  // The store loads in the background (from the persisted index where it can, on several threads otherwise);
  // until it is done, /readyz and every feed answer 503, /healthz 200.
  const store = openFilesStore({
    dataDir: config.dataDir,
    site,
    siteOverrides,
    watch: config.watch,
    rescanIntervalMs: config.rescanIntervalSeconds * 1000,
    log,
    ...(cache.ok ? { cacheDir: cache.dir } : {}),
  });
  const ingest = config.ingestToken === undefined ? undefined : { token: config.ingestToken, maxBytes: config.ingestMaxBytes };
  const app = createApp({
    store,
    production: config.production,
    caching: config.feedCaching,
    log,
    ...(config.websubHub === undefined ? {} : { websubHub: config.websubHub }),
    ...(ingest ? { ingest } : {}),
    guards: { rateLimit: config.rateLimit, trustProxy: config.trustProxy },
  });
  const server = createServer(requestListener(app)).listen(config.port, config.host, () => {
    log(`wirefeed: listening on ${site.baseUrl}/ — loading articles; /readyz answers 200 once they are served`);
  });
  server.on('error', (error) => {
    console.error(`wirefeed: cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await store.whenReady;
  } catch (error) {
    console.error(`wirefeed: cannot load the articles: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
  const health = await store.health(new Date());
  for (const problem of health.rejected) log(`rejected: ${problem.message}`);
  for (const warning of health.warnings) log(`warning: ${warning.message}`);
  store.start();
  if (config.websubHub !== undefined) startWebSubPublisher({ hub: config.websubHub, store, attempts: config.websubAttempts });
  console.log(`wirefeed: serving ${health.articles} articles (${health.rejected.length} rejected) on ${site.baseUrl}/ — feeds: /rss.xml /atom.xml /feed.json`);
}

await main();
