import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/http/app.js';
import { hashSecret, type ApiKey } from '../../src/http/api-keys.js';
import { loadSite } from '../../src/load/load-data.js';
import { feedPath } from '../../src/model/feed-filter.js';
import { FEED_FILE_NAMES } from '../../src/model/types.js';
import { createFilesStore, type FilesStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { syncFolder, type SyncReport } from '../../src/store/postgres/sync.js';
import type { Store } from '../../src/store/store.js';
import { SITE_RECORD } from '../helpers/builders.js';
import { createScratchDatabase } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';
import { SITE_OVERRIDES } from '../live/data-dir.js';

/**
 * The two backends side by side, each behind its own app with the same
 * keys and the same clock: the files backend on DATA_DIR, PostgreSQL on a
 * fresh database that `sync`s that same folder (an operator's hand edit
 * reaches PostgreSQL through sync). What a test does to one it does to the
 * other; `observe` gathers everything a reader or an editor can see.
 */
export const EDITOR = 'editor-secret-0123456789abcdef0123456789abcdef';
export const KOREAN_EDITOR = 'korean-editor-secret-0123456789abcdef0123456789';
export const KEYS: ApiKey[] = [
  { id: 'editor', hash: hashSecret(EDITOR), delete: true, audit: true },
  { id: 'korean-editor', hash: hashSecret(KOREAN_EDITOR), services: ['Korean'], delete: true, audit: false },
];

export interface Reply {
  readonly status: number;
  readonly etag: string | null;
  readonly text: string;
}

export interface Side {
  readonly name: 'files' | 'postgres';
  readonly store: Store;
  /** One HTTP request to this side's app. */
  request(path: string, init?: { method?: string; key?: string | null; headers?: Record<string, string>; body?: string }): Promise<Reply>;
  /** Makes this side see the folder as it is now: files, a reload; PostgreSQL, a sync (pruning rows whose file is gone). */
  catchUp(): Promise<SyncReport | undefined>;
}

export interface BackendPair {
  readonly dataDir: string;
  readonly articles: string;
  readonly files: Side;
  readonly postgres: Side;
  /** The clock both apps and stores read; tests move it. */
  readonly clock: { now: Date };
  /** An editor's hand edit: `text` saved as articles/`name` (undefined: the file removed), then both sides catch up. */
  handEdit(name: string, text: string | undefined): Promise<SyncReport | undefined>;
  close(): Promise<void>;
}

export async function openBackendPair(options: { historyKeep?: number; start?: Date } = {}): Promise<BackendPair> {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-differential-'));
  const dataDir = join(root, 'data');
  const articles = join(dataDir, 'articles');
  mkdirSync(articles, { recursive: true });
  writeFileSync(join(dataDir, 'site.json'), JSON.stringify(SITE_RECORD, null, 2));
  const site = loadSite(dataDir, SITE_OVERRIDES);
  const clock = { now: options.start ?? new Date('2026-06-01T00:00:00Z') };
  const now = (): Date => clock.now;
  const keep = options.historyKeep === undefined ? {} : { historyKeep: options.historyKeep };
  const closers: (() => Promise<void>)[] = [async () => rmSync(root, { recursive: true, force: true })];

  const filesStore: FilesStore = createFilesStore({ dataDir, site, siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined, clock: now, ...keep });
  closers.push(() => filesStore.close());
  const scratch = await createScratchDatabase('wirefeed_diff');
  closers.push(scratch.drop);
  const pool: Pool = createPool({ url: scratch.url });
  closers.push(() => pool.end());
  await migrate(pool);
  const pgStore = await createPostgresStore({ url: scratch.url, site, dataDir, log: () => undefined, clock: now, ...keep });
  closers.push(() => pgStore.close());

  const side = async (name: Side['name'], store: Store, catchUp: Side['catchUp']): Promise<Side> => {
    const server = await listen(createApp({ store, clock: now, ingest: { keys: KEYS, maxBytes: 1024 * 1024 } }));
    closers.push(server.close);
    return {
      name,
      store,
      catchUp,
      async request(path, init = {}) {
        const headers: Record<string, string> = { ...init.headers };
        const key = init.key === undefined ? EDITOR : init.key;
        if (key !== null) headers.authorization = `Bearer ${key}`;
        if (init.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${server.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: init.body }) });
        return { status: res.status, etag: res.headers.get('etag'), text: await res.text() };
      },
    };
  };

  /** Sync, then wait until the store has read every change the sync committed. */
  const syncPostgres = async (): Promise<SyncReport> => {
    const report = await syncFolder(pool, { dataDir, site, prune: true, threads: 0 });
    const target = Number((await pool.query<{ value: string }>('SELECT value FROM change_sequence')).rows[0]?.value ?? 0);
    for (let i = 0; pgStore.version() < target && i < 200; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return report;
  };
  const files = await side('files', filesStore, async () => {
    await filesStore.reload();
    return undefined;
  });
  const postgres = await side('postgres', pgStore, syncPostgres);

  return {
    dataDir,
    articles,
    files,
    postgres,
    clock,
    async handEdit(name, text) {
      if (text === undefined) unlinkSync(join(articles, name));
      else writeFileSync(join(articles, name), text);
      await files.catchUp();
      return postgres.catchUp();
    },
    async close() {
      for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
    },
  };
}

/** Every document path a reader can fetch from `side` now: each feed in each format, and /healthz. */
export async function readerPaths(side: Side, now: Date): Promise<string[]> {
  const directory = await side.store.directory(now);
  return directory.feeds.flatMap((feed) => Object.values(FEED_FILE_NAMES).map((file) => `${feedPath(feed.filter)}/${file}`));
}
