import { describe, expect, it } from 'vitest';
import { slugify } from '../../src/model/slug.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();
const NOW = new Date('2030-01-01T00:00:00Z');

/**
 * Rows written before migration 7 hold the old slugs (issue 24: `C++` and
 * `c` alike). After `migrate`, the database serves the slugs the files
 * backend gives, with no re-sync.
 */
describe.skipIf(!available)('migration 7 gives existing rows the new slugs', () => {
  const database = useScratchDatabase();

  it('re-slugs feed entries and credits written with the old rule', async () => {
    const pool = createPool({ url: database.url() });
    try {
      await migrate(pool);
      const store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
      const long = '가'.repeat(90);
      await store.put('cpp', Buffer.from(JSON.stringify(makeRecord({ id: 'cpp', tags: ['C++', long], credits: [{ name: 'C++', role: 'reporter' }] }))));
      await store.close();
      // What a wirefeed before issue 24 wrote: the slug of both names was "c", the long one uncut.
      await pool.query(`UPDATE feed_entries SET slug = 'c' WHERE slug = $1`, [slugify('C++')]);
      await pool.query(`UPDATE feed_entries SET slug = $1 WHERE slug = $2`, [long, slugify(long)]);
      await pool.query(`UPDATE articles SET article = jsonb_set(article, '{credits,0,slug}', '"c"')`);
      await pool.query('DELETE FROM schema_migrations WHERE version = 7');

      expect(await migrate(pool)).toEqual([7]);
      const entries = await pool.query<{ kind: string; slug: string }>('SELECT kind, slug FROM feed_entries ORDER BY kind, slug');
      expect(entries.rows.filter((row) => row.kind !== 'language' && row.kind !== 'section')).toEqual([
        { kind: 'author', slug: slugify('C++') },
        { kind: 'tag', slug: slugify('C++') },
        { kind: 'tag', slug: slugify(long) },
      ].sort((a, b) => (a.kind + a.slug < b.kind + b.slug ? -1 : 1)));
      const reopened = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
      try {
        expect((await reopened.article('cpp'))?.credits[0]?.slug).toBe(slugify('C++'));
        expect((await reopened.feedPage({ kind: 'tag', slug: slugify(long) }, { limit: 5 }, NOW))?.articles.map((a) => a.id)).toEqual(['cpp']);
      } finally {
        await reopened.close();
      }
    } finally {
      await pool.end();
    }
  });
});
