import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { displayName } from '../../src/load/files.js';
import { ARTICLES_DIR } from '../../src/load/load-data.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, inTransaction, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { articleRow } from '../../src/store/postgres/rows.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import { COPY_FROM_ROWS, upsertArticles } from '../../src/store/postgres/writes.js';
import type { Article, Site } from '../../src/model/types.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();
const SITE = { title: 'Bulk', url: 'https://news.example.org', language: 'en' } as unknown as Site;
const COUNT = COPY_FROM_ROWS + 10;
const NOW = new Date('2030-01-01T00:00:00Z');

/** Text with every character COPY's text format must escape, and some it must not touch. */
const AWKWARD = 'tab\there, back\\slash \\N, new\nline, return\r, quote " and 한국어 \u2028';
const record = (i: number, edit = '') =>
  makeRecord({
    id: `bulk-${String(i).padStart(3, '0')}`,
    url: `https://news.example.org/bulk/${i}.html`,
    headline: `${AWKWARD} ${i}${edit}`,
    summary: `Summary ${AWKWARD}`,
    body: `<p>${AWKWARD.replace(/[<>&]/g, '')} ${i}${edit}</p>`,
    tags: [`Tag \\ ${i % 3}`, 'Tab\tTag'],
    published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
  });

describe.skipIf(!available)('bulk writes by COPY', () => {
  const database = useScratchDatabase();
  let dir: string;
  let pool: Pool;
  const writeAll = (edit = '') => {
    for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, 'articles', `bulk-${i}.json`), JSON.stringify(record(i, edit)));
  };
  const expected = (i: number, edit = ''): Article => {
    const parsed = parseArticle(record(i, edit), displayName(dir, ARTICLES_DIR, `bulk-${i}.json`), { language: 'en' });
    if (parsed.article === undefined) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    return parsed.article;
  };
  const stored = async () => {
    const store = await createPostgresStore({ url: database.url(), site: SITE, dataDir: dir });
    try {
      return await Promise.all(Array.from({ length: COUNT }, (_, i) => store.article(`bulk-${String(i).padStart(3, '0')}`)));
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-bulk-'));
    mkdirSync(join(dir, 'articles'));
    pool = createPool({ url: database.url() });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores tabs, backslashes, newlines and \\N in a first load exactly as the loader reads them', async () => {
    writeAll();
    const report = await syncFolder(pool, { dataDir: dir, site: SITE, threads: 0 });
    expect(report).toMatchObject({ written: COUNT, rejected: [] });
    const articles = await stored();
    articles.forEach((article, i) => expect(article).toEqual(expected(i)));
    // The feed entries carry the tags' spelling through COPY too (a backslash in a tag's name).
    const names = await pool.query<{ name: string }>(`SELECT name FROM feed_entries WHERE article_id = 'bulk-004' AND kind = 'tag' ORDER BY name`);
    expect(names.rows.map((row) => row.name)).toEqual([...(expected(4).tags ?? [])].sort());
  });

  it('replaces stored articles through the staging merge, with no stale feed entries', async () => {
    writeAll(' (edited)');
    const report = await syncFolder(pool, { dataDir: dir, site: SITE, threads: 0 });
    expect(report).toMatchObject({ written: COUNT, unchanged: 0, rejected: [] });
    const articles = await stored();
    articles.forEach((article, i) => expect(article).toEqual(expected(i, ' (edited)')));
    const entries = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM feed_entries');
    const perArticle = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM feed_entries WHERE article_id = 'bulk-000'`)).rows[0]?.n ?? 0;
    expect(perArticle).toBeGreaterThan(3);
    expect(entries.rows[0]?.n).toBe(perArticle * COUNT);
  });

  it('falls back to the merge when an id of a new batch is created by another writer meanwhile', async () => {
    await pool.query('TRUNCATE articles CASCADE');
    const articles = Array.from({ length: COUNT }, (_, i) => expected(i));
    const rows = articles.map((article, i) => articleRow(article, record(i), JSON.stringify(record(i)), `hash-${i}`, null));
    // Another writer's insert of bulk-001, not yet committed: the look-up does not see it, the COPY waits on
    // it and fails with a unique violation once it commits; the batch is then merged instead.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO articles SELECT * FROM json_populate_record(NULL::articles, $1::json)`, [JSON.stringify({ ...rows[1], headline: 'old' })]);
      const upsert = inTransaction(pool, (client) => upsertArticles(client, rows, articles));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query('COMMIT');
      const inserted = await upsert;
    expect(inserted.size).toBe(COUNT - 1);
    expect(inserted.has('bulk-001')).toBe(false);
    const headline = await pool.query<{ headline: string }>(`SELECT headline FROM articles WHERE id = 'bulk-001'`);
    expect(headline.rows[0]?.headline).toBe(articles[1]?.headline);
    expect((await stored()).every((article, i) => article?.headline === articles[i]?.headline)).toBe(true);
    } finally {
      other.release();
    }
  });
});
