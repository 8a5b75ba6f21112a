import type { Config } from '../config/config.js';
import type { SiteOverrides } from '../load/site.js';
import type { Site } from '../model/types.js';
import { resolveCacheDir } from './files/cache-dir.js';
import { openFilesStore } from './files/open-files-store.js';
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

/** A store as the server opens it: usable at once, with all its data once `whenReady` resolves. */
export type OpenedStore = Store & {
  /** Resolves when the first complete view of the data is served (at once for PostgreSQL); rejects if loading failed. */
  readonly whenReady: Promise<void>;
  /** Starts watching for changes (the files backend), once ready. */
  start?(): void;
};

/**
 * The backend the configuration asks for: PostgreSQL when DATABASE_URL is
 * set (connected and its schema checked before this resolves), else the
 * files in DATA_DIR, opened at once and loaded in the background (from the
 * persisted article index where it can, on several threads otherwise).
 * Throws DatabaseStartError when the database cannot be used.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const { config, site, log } = options;
  if (config.databaseUrl !== undefined) {
    const store = await createPostgresStore({ url: config.databaseUrl, poolSize: config.databasePoolSize, site, dataDir: config.dataDir, log: (line) => log(line, 'warn'), ...(config.historyKeep === undefined ? {} : { historyKeep: config.historyKeep }) });
    return Object.assign(store, { whenReady: Promise.resolve() });
  }
  const cache = resolveCacheDir(config.dataDir, config.cacheDir);
  if (!cache.ok) log(`load: no article index (${cache.problem}); every start reads every file`);
  else if (cache.note !== undefined) log(`load: ${cache.note}`);
  return openFilesStore({
    dataDir: config.dataDir,
    site,
    siteOverrides: options.siteOverrides,
    watch: config.watch,
    rescanIntervalMs: config.rescanIntervalSeconds * 1000,
    log,
    ...(config.historyKeep === undefined ? {} : { historyKeep: config.historyKeep }),
    ...(options.onReload ? { onReload: options.onReload } : {}),
    ...(cache.ok ? { cacheDir: cache.dir } : {}),
  });
}
