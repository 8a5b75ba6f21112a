import { buildSnapshot } from './store/snapshot.js';
import { createStore } from './store/store.js';
import { ConfigError, loadConfig } from './config/config.js';
import { loadArticleFiles, loadSite } from './load/load-data.js';
import { SiteError } from './load/errors.js';
import { createApp } from './http/app.js';
import { createServer } from './http/server.js';

/** loadConfig → load → createApp → listen. Fails fast, with one message, on bad configuration or site.json. */
function main(): void {
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
  const snapshot = buildSnapshot(site, loadArticleFiles(config.dataDir, site), 1);
  for (const problem of snapshot.rejected) console.error(`rejected: ${problem.message}`);
  for (const warning of snapshot.warnings) console.error(`warning: ${warning.message}`);
  const store = createStore(snapshot);
  const app = createApp({ store, production: config.production, guards: { rateLimit: config.rateLimit, trustProxy: config.trustProxy } });
  const server = createServer(app).listen(config.port, config.host, () => {
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

main();
