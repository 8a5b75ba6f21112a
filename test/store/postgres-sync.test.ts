import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/migrate.js';
import { runSync } from '../../src/cli/sync.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { loadSample, SAMPLE_DIR, SAMPLE_NOW } from '../helpers/sample.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { readdirSync } from 'node:fs';

/** Article files in the sample data folder. */
const SAMPLE_FILES = readdirSync(join(SAMPLE_DIR, 'articles')).filter((name) => name.endsWith('.json')).length;

const available = await probePostgres();
const OVERRIDES = { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' };

describe.skipIf(!available)('npm run sync into PostgreSQL', () => {
  const database = useScratchDatabase();
  let dir: string;
  let pool: Pool;
  const lines: string[] = [];
  const sync = (...args: string[]) => runSync([dir, ...args], { DATABASE_URL: database.url(), DATA_DIR: dir }, (line) => lines.push(line));
  const write = (name: string, record: unknown) => writeFileSync(join(dir, 'articles', name), typeof record === 'string' ? record : JSON.stringify(record));

  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'wirefeed-sync-')), 'data');
    cpSync(SAMPLE_DIR, dir, { recursive: true });
    pool = createPool({ url: database.url() });
  });
  afterAll(async () => {
    await pool?.end();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('refuses to sync before migrate, then migrates (twice: safe)', async () => {
    expect(await sync()).toBe(1);
    expect(lines.pop()).toMatch(/no wirefeed schema; run "npm run migrate"/);
    const printed: string[] = [];
    expect(await runMigrate([], { DATABASE_URL: database.url() }, (line) => printed.push(line))).toBe(0);
    expect(await runMigrate([], { DATABASE_URL: database.url() }, (line) => printed.push(line))).toBe(0);
    expect(printed[1]).toMatch(new RegExp(`is already at schema version ${SCHEMA_VERSION}$`));
    expect(await runMigrate([], {}, (line) => printed.push(line))).toBe(2);
  });

  it('loads the sample data so the store serves what the files backend serves', async () => {
    expect(await runSync([SAMPLE_DIR], { DATABASE_URL: database.url(), DATA_DIR: SAMPLE_DIR }, (line) => lines.push(line))).toBe(0);
    expect(lines.pop()).toMatch(new RegExp(`^sync: ${SAMPLE_FILES} files: ${SAMPLE_FILES} written, 0 unchanged, 0 deleted, 0 rejected, in `));
    const sample = loadSample();
    const reference = createSnapshotStore(sample);
    const store: Store = await createPostgresStore({ url: database.url(), site: sample.site, dataDir: SAMPLE_DIR });
    try {
      expect(await store.directory(SAMPLE_NOW)).toEqual(await reference.directory(SAMPLE_NOW));
      for (const feed of (await reference.directory(SAMPLE_NOW)).feeds) {
        const expected = await reference.feedPage(feed.filter, { limit: 50 }, SAMPLE_NOW);
        const actual = await store.feedPage(feed.filter, { limit: 50 }, SAMPLE_NOW);
        expect(actual?.articles.map((a) => ({ ...a }))).toEqual(expected?.articles.map((a) => ({ ...a, body: a.body })));
        expect({ ...actual, articles: [] }).toEqual({ ...expected, articles: [] });
      }
    } finally {
      await store.close();
    }
  });

  it('skips unchanged files, updates changed ones, reports rejected files as the loader does, and prunes only with --prune', async () => {
    await pool.query('TRUNCATE articles CASCADE');
    expect(await sync()).toBe(0);
    expect(lines.pop()).toMatch(new RegExp(`^sync: ${SAMPLE_FILES} files: ${SAMPLE_FILES} written, 0 unchanged`));
    expect(await sync()).toBe(0);
    expect(lines.pop()).toMatch(new RegExp(`^sync: ${SAMPLE_FILES} files: 0 written, ${SAMPLE_FILES} unchanged, 0 deleted, 0 rejected`));

    const name = '2019-10-border-phone-inspections.json';
    const record = JSON.parse(readFileSync(join(dir, 'articles', name), 'utf8')) as Record<string, unknown>;
    write(name, { ...record, headline: 'A corrected headline' });
    write('zz-broken.json', '{"id": "zz-broken",');
    write('zz-invalid.json', makeRecord({ id: 'zz-invalid', published: 'soon', extra: true }));
    write('zz-twin.json', { ...record, headline: 'Same id, later file' });
    lines.length = 0;
    expect(await sync()).toBe(0);
    const site = loadSite(dir, OVERRIDES);
    const loaded = buildSnapshot(site, loadArticleFiles(dir, site), 1);
    // Exactly the loader's lines, in its order.
    expect(lines.filter((l) => l.startsWith('rejected: '))).toEqual(loaded.rejected.map((e) => `rejected: ${e.message}`));
    expect(lines.filter((l) => l.startsWith('warning: '))).toEqual(loaded.warnings.map((e) => `warning: ${e.message}`));
    expect(loaded.rejected.length).toBe(3);
    expect(lines.at(-1)).toMatch(new RegExp(`^sync: ${SAMPLE_FILES + 3} files: 1 written, ${SAMPLE_FILES - 1} unchanged, 0 deleted, 3 rejected`));
    const rows = await pool.query(`SELECT article->>'headline' AS headline FROM articles WHERE file = $1`, [name]);
    expect(rows.rows).toEqual([{ headline: 'A corrected headline' }]);

    const store = await createPostgresStore({ url: database.url(), site, dataDir: dir });
    try {
      const health = await store.health(SAMPLE_NOW);
      expect(health.rejected.map((e) => e.message)).toEqual(loaded.rejected.map((e) => e.message));
      expect(health.warnings.map((e) => e.message)).toEqual(loaded.warnings.map((e) => e.message));
      expect(health.articles).toBe(SAMPLE_FILES);

      // The broken file fixed: its reports go; a second run reports the rest again, unchanged files skipped.
      unlinkSync(join(dir, 'articles', 'zz-broken.json'));
      unlinkSync(join(dir, 'articles', 'zz-twin.json'));
      unlinkSync(join(dir, 'articles', name));
      expect(await sync()).toBe(0);
      expect(lines.at(-1)).toMatch(new RegExp(`^sync: ${SAMPLE_FILES} files: 0 written, ${SAMPLE_FILES - 1} unchanged, 0 deleted, 1 rejected`));
      expect(await store.article(String(record.id))).toBeDefined();
      expect(await sync('--prune')).toBe(0);
      expect(lines.at(-1)).toMatch(new RegExp(`^sync: ${SAMPLE_FILES} files: 0 written, ${SAMPLE_FILES - 1} unchanged, 1 deleted, 1 rejected`));
      expect(await store.article(String(record.id))).toBeUndefined();
      expect((await store.health(SAMPLE_NOW)).rejected.map((e) => e.message)).toEqual([expect.stringMatching(/zz-invalid\.json: field "published"/)]);
      // Written through the API, an article keeps the name of the file it was synced from, as the files backend rewrites that file.
      const synced = JSON.parse(readFileSync(join(dir, 'articles', '2019-11-bazaar-reopens-ug.json'), 'utf8')) as Record<string, unknown>;
      const rewritten = await store.put(String(synced.id), Buffer.from(JSON.stringify({ ...synced, headline: 'Through the API' })));
      expect(rewritten.article.source).toBe('data/articles/2019-11-bazaar-reopens-ug.json');
      expect(rewritten.created).toBe(false);
      // Its file unchanged, the next sync leaves the edit alone.
      expect(await sync()).toBe(0);
      expect((await store.article(String(synced.id)))?.headline).toBe('Through the API');
    } finally {
      await store.close();
    }
  });

  it('removes the old article when a file comes to hold another id, and keeps syncing with --watch', async () => {
    const progress: string[] = [];
    const report = await syncFolder(pool, { dataDir: dir, site: loadSite(dir, OVERRIDES), progress: (line) => progress.push(line), progressEveryMs: 0 });
    expect(report.written).toBe(0);
    expect(progress).toEqual([expect.stringMatching(new RegExp(`^sync: ${SAMPLE_FILES}/${SAMPLE_FILES} files, 0 written, ${SAMPLE_FILES - 1} unchanged, 1 problems \\(\\d+ files/s\\)$`))]);
    write('zz-invalid.json', makeRecord({ id: 'zz-first' }));
    await syncFolder(pool, { dataDir: dir, site: loadSite(dir, OVERRIDES) });
    write('zz-invalid.json', makeRecord({ id: 'zz-second' }));
    expect((await syncFolder(pool, { dataDir: dir, site: loadSite(dir, OVERRIDES) })).deleted).toBe(1);
    const ids = await pool.query(`SELECT id FROM articles WHERE id LIKE 'zz-%'`);
    expect(ids.rows).toEqual([{ id: 'zz-second' }]);

    const stop = new AbortController();
    const watching = runSync([dir, '--watch'], { DATABASE_URL: database.url(), DATA_DIR: dir }, (line) => lines.push(line), stop.signal);
    await until(async () => lines.some((l) => l.startsWith('sync: watching')));
    write('zz-watched.json', makeRecord({ id: 'zz-watched' }));
    await until(async () => (await pool.query(`SELECT 1 FROM articles WHERE id = 'zz-watched'`)).rows.length === 1);
    stop.abort();
    expect(await watching).toBe(0);
  });
});

async function until(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
