import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';
import { loadSite } from '../../src/load/load-data.js';
import type { Site } from '../../src/model/types.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import type { Store, StoreBackend } from '../../src/store/store.js';
import { SITE_RECORD } from './builders.js';
import { createScratchDatabase, probePostgres } from './postgres.js';

/**
 * One store backend for the HTTP contract suites (`describe.each(BACKENDS)`):
 * the same records, in files of the same names, so every message that names
 * a file (/healthz, the ingest API) reads the same on both. A new backend is
 * done when every suite passes on it unchanged.
 */
export interface Backend {
  readonly name: StoreBackend;
}

/** A store opened over some records, and the way to change them as an editor or a sync would. */
export interface OpenedStore {
  readonly store: Store;
  /** The data folder the records were written to (`…/data`): what a file-level test edits. */
  readonly dataDir: string;
  /** Makes the store hold exactly `records` (a known id keeps its file, a new one is named as by `open`); resolves once reads see them. */
  replace(records: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

/** Settings of one opened store beyond its records. */
export interface OpenOptions {
  /** PostgreSQL: how often the change listener polls while disconnected (changePollMs; the files backend has no such timer). */
  readonly changePollMs?: number;
}

/** Opens stores of one backend within one test file (see `useBackend`). */
export interface BackendHarness {
  /** A store over these records, written as `data/articles/NNNN-<id>.json` (the names `makeSnapshot` gives them). */
  open(records: readonly Record<string, unknown>[], options?: OpenOptions): Promise<OpenedStore>;
  /** A store over a fresh data folder that `fill` writes into (site.json is there already; `fill` may replace it). */
  openDir(fill: (dataDir: string) => void): Promise<OpenedStore>;
  /** A store over an existing data folder, read where it is (links and special files included); the caller removes it. */
  openAt(dataDir: string): Promise<OpenedStore>;
}

const postgresAvailable = await probePostgres();

/**
 * Every backend that can run here. Without a PostgreSQL server its rows are
 * left out and probePostgres says so on stderr; with WIREFEED_REQUIRE_POSTGRES=1
 * (CI) that is a failure instead.
 */
export const BACKENDS: readonly Backend[] = [{ name: 'files' }, ...(postgresAvailable ? [{ name: 'postgres' } as const] : [])];

/** SITE_URL of the stores the harness opens, as makeSite applies it. */
export const SITE_OVERRIDES = { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' };

/** The file name `makeSnapshot` gives the i-th record. */
export function recordFileName(record: Record<string, unknown>, i: number): string {
  return `${String(i).padStart(4, '0')}-${String(record.id ?? 'record')}.json`;
}

/**
 * Rewrites articles/ to hold exactly these records. A record whose id was
 * written before keeps its file (an editor edits a story in place; a rename
 * would be a delete and a new file to a sync); a new one is named by
 * `recordFileName`. Files whose bytes are unchanged are left alone (same stamp).
 */
function writeRecords(dataDir: string, records: readonly Record<string, unknown>[], previous: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const articles = join(dataDir, 'articles');
  const wanted = new Map<string, string>();
  const names = new Map<string, string>();
  records.forEach((record, i) => {
    const id = String(record.id ?? '');
    const kept = previous.get(id);
    const name = kept !== undefined && !wanted.has(kept) ? kept : recordFileName(record, i);
    wanted.set(name, `${JSON.stringify(record, null, 2)}\n`);
    if (!names.has(id)) names.set(id, name);
  });
  for (const name of readdirSync(articles)) if (!wanted.has(name)) unlinkSync(join(articles, name));
  for (const [name, text] of wanted) {
    let current: string | undefined;
    try {
      current = readFileSync(join(articles, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) writeFileSync(join(articles, name), text);
  }
  return names;
}

/** A fresh `…/data` folder with site.json and an empty articles/; `remove` deletes it. */
function makeDataFolder(): { dataDir: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-contract-'));
  const dataDir = join(root, 'data');
  mkdirSync(join(dataDir, 'articles'), { recursive: true });
  writeFileSync(join(dataDir, 'site.json'), JSON.stringify(SITE_RECORD, null, 2));
  return { dataDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function openFiles(dataDir: string, remove: () => void, written: Map<string, string>): Promise<OpenedStore> {
  let names = written;
  const site = loadSite(dataDir, SITE_OVERRIDES);
  // No watcher and no rescan: the test says when the folder changed, so nothing reloads behind its back.
  const store = createFilesStore({ dataDir, site, siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined });
  return {
    store,
    dataDir,
    replace: async (records) => {
      names = writeRecords(dataDir, records, names);
      await store.reload();
    },
    close: async () => {
      await store.close();
      remove();
    },
  };
}

/** Waits until the store has read every change committed so far (its LISTEN connection hears them shortly after). */
async function caughtUp(pool: Pool, store: Store): Promise<void> {
  const latest = Number((await pool.query<{ value: string }>('SELECT value FROM change_sequence')).rows[0]?.value ?? 0);
  for (let waited = 0; store.version() < latest; waited += 5) {
    if (waited > 10_000) throw new Error(`the PostgreSQL store is still at change ${store.version()} of ${latest} after 10 s`);
    await sleep(5);
  }
}

async function openPostgres(pool: Pool, url: string, dataDir: string, remove: () => void, written: Map<string, string>, options: OpenOptions): Promise<OpenedStore> {
  let names = written;
  // One database per test file; each store starts from empty tables (the change sequence goes on).
  await pool.query('TRUNCATE articles, feed_entries, changes, sync_reports, article_fragments');
  const site: Site = loadSite(dataDir, SITE_OVERRIDES);
  const sync = (): Promise<unknown> => syncFolder(pool, { dataDir, site, prune: true, threads: 0 });
  await sync();
  const store = await createPostgresStore({ url, site, dataDir, poolSize: 4, log: () => undefined, ...(options.changePollMs === undefined ? {} : { changePollMs: options.changePollMs }) });
  return {
    store,
    dataDir,
    replace: async (records) => {
      names = writeRecords(dataDir, records, names);
      await sync();
      await caughtUp(pool, store);
    },
    close: async () => {
      await store.close();
      remove();
    },
  };
}

/**
 * The harness of one backend for the calling test file (call it in the
 * `describe.each(BACKENDS)` body). PostgreSQL gets one scratch database,
 * migrated once, for the whole file; each `open` empties its tables, which
 * costs milliseconds where creating and migrating a database would cost more
 * than most tests.
 */
export function useBackend(backend: Backend): BackendHarness {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let pool: Pool | undefined;
  if (backend.name === 'postgres') {
    beforeAll(async () => {
      scratch = await createScratchDatabase();
      pool = createPool({ url: scratch.url, size: 2 });
      await migrate(pool);
    });
    afterAll(async () => {
      await pool?.end();
      await scratch?.drop();
    });
  }
  const openFolder = async (dataDir: string, remove: () => void, written = new Map<string, string>(), options: OpenOptions = {}): Promise<OpenedStore> => {
    if (backend.name === 'files') return openFiles(dataDir, remove, written);
    if (pool === undefined || scratch === undefined) throw new Error('the scratch database is created in beforeAll');
    return openPostgres(pool, scratch.url, dataDir, remove, written, options);
  };
  return {
    open: (records, options) => {
      const folder = makeDataFolder();
      return openFolder(folder.dataDir, folder.remove, writeRecords(folder.dataDir, records), options);
    },
    openDir: (fill) => {
      const folder = makeDataFolder();
      fill(folder.dataDir);
      return openFolder(folder.dataDir, folder.remove);
    },
    openAt: (dataDir) => openFolder(dataDir, () => undefined),
  };
}
