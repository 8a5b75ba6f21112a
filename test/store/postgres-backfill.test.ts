import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { slugify } from '../../src/model/slug.js';
import { backfillArticles, forEachArticlePage, reparseRecords } from '../../src/store/postgres/backfill.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();

const HEADLINES = { cpp: 'C++', plain: 'Rates rise', korean: '서울 집값' };

/**
 * A step of the kind a new field needs: a column added by SQL, filled by
 * TypeScript from each stored record (the loader reads it, model/slug.ts
 * makes the slug: NFKC and SHA-256, which SQL cannot).
 */
function headlineSlugStep(runs: { count: number }): Migration {
  return {
    version: SCHEMA_VERSION + 1,
    name: 'test: headline slugs',
    sql: 'ALTER TABLE articles ADD COLUMN headline_slug text',
    run: async (client) => {
      runs.count += 1;
      await forEachArticlePage(client, async (page) => {
        const slugs = page.map((stored) => {
          const parsed = parseArticle(JSON.parse(stored.record), stored.article.source, { language: stored.article.language }).article;
          return { id: stored.id, slug: slugify(parsed?.headline ?? '') };
        });
        await client.query('UPDATE articles AS a SET headline_slug = r.slug FROM jsonb_to_recordset($1::jsonb) AS r (id text, slug text) WHERE a.id = r.id', [JSON.stringify(slugs)]);
      });
    },
  };
}

async function snapshot(pool: Pool): Promise<unknown> {
  const articles = await pool.query('SELECT id, article FROM articles ORDER BY id');
  const entries = await pool.query('SELECT kind, slug, article_id FROM feed_entries ORDER BY kind, slug, article_id');
  return { articles: articles.rows, entries: entries.rows };
}

async function columns(pool: Pool): Promise<string[]> {
  const result = await pool.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'articles' ORDER BY column_name`);
  return result.rows.map((row) => row.name);
}

async function appliedVersion(pool: Pool): Promise<number> {
  return (await pool.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0;
}

describe.skipIf(!available)('a migration step that runs TypeScript (backfill.ts)', () => {
  const database = useScratchDatabase();

  it('backfills a column from every stored record once, and a step that throws leaves nothing behind', async () => {
    const pool = createPool({ url: database.url() });
    try {
      await migrate(pool);
      const store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
      for (const [id, headline] of Object.entries(HEADLINES)) await store.put(id, Buffer.from(JSON.stringify(makeRecord({ id, headline, tags: [headline] }))));
      await store.close();
      const before = await snapshot(pool);
      const columnsBefore = await columns(pool);

      // Whole or nothing: a step whose code throws after changing every article (and its feed entries) and adding a column.
      const failing: Migration = {
        version: SCHEMA_VERSION + 1,
        name: 'test: fails half way',
        sql: 'ALTER TABLE articles ADD COLUMN half text',
        run: async (client) => {
          await backfillArticles(client, ({ article }) => ({ ...article, headline: article.headline.toUpperCase(), tags: ['Changed'] }));
          throw new Error('the backfill broke');
        },
      };
      await expect(migrate(pool, [...MIGRATIONS, failing])).rejects.toThrow('the backfill broke');
      expect(await appliedVersion(pool)).toBe(SCHEMA_VERSION);
      expect(await columns(pool)).toEqual(columnsBefore);
      expect(await snapshot(pool)).toEqual(before);

      // Applied once: the column holds the TypeScript slug of each record's headline.
      const runs = { count: 0 };
      const steps = [...MIGRATIONS, headlineSlugStep(runs)];
      expect(await migrate(pool, steps)).toEqual([SCHEMA_VERSION + 1]);
      const filled = await pool.query<{ id: string; headline_slug: string }>('SELECT id, headline_slug FROM articles ORDER BY id');
      expect(filled.rows).toEqual(Object.entries(HEADLINES).map(([id, headline]) => ({ id, headline_slug: slugify(headline) })).sort((a, b) => (a.id < b.id ? -1 : 1)));

      // Idempotent: run again, nothing is applied and nothing changes.
      expect(await migrate(pool, steps)).toEqual([]);
      expect(runs.count).toBe(1);
      expect((await pool.query('SELECT id, headline_slug FROM articles ORDER BY id')).rows).toEqual(filled.rows);
    } finally {
      await pool.end();
    }
  });

  it('reparseRecords makes each stored article and its feed entries again from its record (the step a new field needs)', async () => {
    const pool = createPool({ url: database.url() });
    try {
      // The test above left the database at its test-only step; back to this build's schema.
      await pool.query('DELETE FROM schema_migrations WHERE version > $1', [SCHEMA_VERSION]);
      await pool.query('ALTER TABLE articles DROP COLUMN IF EXISTS headline_slug');
      await pool.query('TRUNCATE articles, feed_entries, article_fragments');
      const store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
      await store.put('kept', Buffer.from(JSON.stringify(makeRecord({ id: 'kept', headline: 'Kept', tags: ['Trade'] }))));
      await store.close();
      const current = await snapshot(pool);
      // What an older wirefeed stored: an article without what today's loader makes of the record.
      await pool.query(`UPDATE articles SET article = jsonb_set(article, '{headline}', '"Old"') - 'summary'`);
      await pool.query(`DELETE FROM feed_entries WHERE kind = 'tag'`);
      const step: Migration = { version: SCHEMA_VERSION + 1, name: 'test: reparse', sql: '', run: reparseRecords };
      expect(await migrate(pool, [...MIGRATIONS, step])).toEqual([SCHEMA_VERSION + 1]);
      expect(await snapshot(pool)).toEqual(current);
    } finally {
      await pool.end();
    }
  });
});
