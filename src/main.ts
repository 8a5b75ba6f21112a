import { buildSnapshot } from './store/snapshot.js';
import { createStore } from './store/store.js';
import { ConfigError, loadConfig } from './config/config.js';
import { loadSite } from './load/load-data.js';
import { loadArticleFilesInParallel } from './load/parallel-load.js';
import { SiteError } from './load/errors.js';
import { createApp } from './http/app.js';

/** loadConfig → load → createApp → listen. Fails fast, with one message, on bad configuration or site.json. */
async function main(): Promise<void> {
  let config;
  let site;
  try {
    config = loadConfig(process.env);
    site = loadSite(config.dataDir, { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: `http://localhost:${config.port}` });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SiteError) {
      console.error(`wirefeed: cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // Several threads: 100,000 records must load in a few seconds (see parallel-load.ts).
  const snapshot = buildSnapshot(site, await loadArticleFilesInParallel(config.dataDir, site), 1);
  for (const problem of snapshot.rejected) console.error(`rejected: ${problem.message}`);
  for (const warning of snapshot.warnings) console.error(`warning: ${warning.message}`);
  const store = createStore(snapshot);
  const app = createApp({ store, production: config.production });
  const server = app.listen(config.port, config.host, () => {
    console.log(`wirefeed: serving ${snapshot.articles.length} articles (${snapshot.rejected.length} rejected) on ${site.baseUrl}/ — feeds: /rss.xml /atom.xml /feed.json`);
  });
  server.on('error', (error) => {
    console.error(`wirefeed: cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
