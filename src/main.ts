import { ConfigError, loadConfig } from './config/config.js';
import { loadSite } from './load/load-data.js';
import { createFilesStore } from './store/files/files-store.js';
import { loadArticleFilesInParallel } from './load/parallel-load.js';
import { SiteError } from './load/errors.js';
import { createApp, requestListener } from './http/app.js';
import { startWebSubPublisher } from './websub/publisher.js';
import { createServer } from './http/server.js';
import { logToStderr, logToStdout } from './model/log-line.js';

/** loadConfig → load → createApp → listen. Fails fast, with one message, on bad configuration or site.json. */
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
      logToStderr(`wirefeed: cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // Several threads: 100,000 records must load in a few seconds (see parallel-load.ts); then the files store
  // keeps itself in step with DATA_DIR (watch + periodic rescan).
  const initial = await loadArticleFilesInParallel(config.dataDir, site);
  const store = createFilesStore({ dataDir: config.dataDir, site, siteOverrides, watch: config.watch, rescanIntervalMs: config.rescanIntervalSeconds * 1000, initial });
  const health = await store.health(new Date());
  for (const problem of health.rejected) logToStderr(`rejected: ${problem.message}`);
  for (const warning of health.warnings) logToStderr(`warning: ${warning.message}`);
  store.start();
  const ingest = config.ingestToken === undefined ? undefined : { token: config.ingestToken, maxBytes: config.ingestMaxBytes };
  const app = createApp({
    store,
    production: config.production,
    caching: config.feedCaching,
    ...(config.websubHub === undefined ? {} : { websubHub: config.websubHub }),
    ...(ingest ? { ingest } : {}),
    guards: { rateLimit: config.rateLimit, trustProxy: config.trustProxy },
  });
  if (config.websubHub !== undefined) startWebSubPublisher({ hub: config.websubHub, store, attempts: config.websubAttempts });
  const server = createServer(requestListener(app), { maxConnectionsPerClient: config.maxConnectionsPerClient }).listen(config.port, config.host, () => {
    logToStdout(`wirefeed: serving ${health.articles} articles (${health.rejected.length} rejected) on ${site.baseUrl}/ — feeds: /rss.xml /atom.xml /feed.json`);
  });
  server.on('error', (error) => {
    logToStderr(`wirefeed: cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
