import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { makeDataDir, SITE_OVERRIDES } from '../live/data-dir.js';
import { createScratchDatabase } from './postgres.js';

/** A store of one backend holding `records`, and what tears it down. */
export interface OpenedStore {
  readonly store: Store;
  /** The data folder (files backend; PostgreSQL reads site.json from it). */
  readonly dataDir: string;
  readonly close: () => Promise<void>;
}

export interface WriteBackend {
  readonly name: 'files' | 'postgres';
  open(records?: readonly Record<string, unknown>[], options?: { historyKeep?: number }): Promise<OpenedStore>;
}

/**
 * Both backends, for describe.each: the files store over a fresh data
 * folder, and the PostgreSQL store over a fresh database (the records put
 * through the store, as an API client would).
 */
export function writeBackends(postgresAvailable: boolean): WriteBackend[] {
  const files: WriteBackend = {
    name: 'files',
    async open(records = [], options = {}) {
      const data = makeDataDir(records);
      const store = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined, ...options });
      return { store, dataDir: data.dir, close: async () => { await store.close(); data.remove(); } };
    },
  };
  const postgres: WriteBackend = {
    name: 'postgres',
    async open(records = [], options = {}) {
      const data = makeDataDir();
      const scratch = await createScratchDatabase();
      const pool = createPool({ url: scratch.url });
      await migrate(pool);
      await pool.end();
      const store = await createPostgresStore({ url: scratch.url, site: loadSite(data.dir, SITE_OVERRIDES), dataDir: data.dir, log: () => undefined, ...options });
      for (const record of records) await store.put(String(record.id), Buffer.from(JSON.stringify(record, null, 2)));
      return { store, dataDir: data.dir, close: async () => { await store.close(); await scratch.drop(); data.remove(); } };
    },
  };
  return postgresAvailable ? [files, postgres] : [files];
}
