import type { Config } from '../config/config.js';
import { loadArticleFilesInParallel } from '../load/parallel-load.js';
import type { SiteOverrides } from '../load/site.js';
import type { Site } from '../model/types.js';
import { createFilesStore } from './files/files-store.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly config: Config;
  /** site.json as loaded at start, SITE_URL applied. */
  readonly site: Site;
  readonly siteOverrides: SiteOverrides;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Told how long each files-backend reload took (metrics). */
  readonly onReload?: (seconds: number) => void;
}

/**
 * The backend the configuration asks for: PostgreSQL when DATABASE_URL is
 * set, else the files in DATA_DIR (loaded on several threads, then watched).
 * Throws DatabaseStartError when the database cannot be used.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { config, site, log } = options;
  if (config.databaseUrl !== undefined) {
    return createPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize, site, dataDir: config.dataDir, log: (line) => log(line, 'warn'), ...(config.historyKeep === undefined ? {} : { historyKeep: config.historyKeep }) });
  }
  // Several threads: 100,000 records must load in a few seconds (see parallel-load.ts); then the files store
  // keeps itself in step with DATA_DIR (watch + periodic rescan).
  const initial = await loadArticleFilesInParallel(config.dataDir, site);
  const store = createFilesStore({
    dataDir: config.dataDir,
    site,
    siteOverrides: options.siteOverrides,
    watch: config.watch,
    rescanIntervalMs: config.rescanIntervalSeconds * 1000,
    initial,
    log,
    ...(config.historyKeep === undefined ? {} : { historyKeep: config.historyKeep }),
    ...(options.onReload ? { onReload: options.onReload } : {}),
  });
  store.start();
  return store;
}
