import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import type { Article } from '../../src/model/types.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { articleRow } from '../../src/store/postgres/rows.js';
import { recordChange, upsertArticles } from '../../src/store/postgres/writes.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();

const parse = (record: Record<string, unknown>): Article => {
  const parsed = parseArticle(record, `data/articles/${String(record.id)}.json`, { language: 'en' });
  if (parsed.article === undefined) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.article;
};

describe.skipIf(!available)('two writes at once (sync writes two batches at a time; replicas write concurrently)', () => {
  const database = useScratchDatabase();
  let pool: Pool;
  beforeAll(async () => {
    pool = createPool({ url: database.url() });
    await migrate(pool);
  });
  afterAll(async () => pool?.end());

  it('an original and its translation written at once: the later change names the feeds of both', async () => {
    const original = makeRecord({ id: 'story-ko', language: 'ko', section: 'Korea', tags: [], credits: [], published: '2024-05-01T00:00:00Z' });
    const translation = makeRecord({ id: 'story-en', language: 'en', section: 'World', tags: [], credits: [], translationOf: 'story-ko', published: '2024-05-02T00:00:00Z' });
    const first = await pool.connect();
    const second = await pool.connect();
    try {
      await first.query('BEGIN');
      await upsertArticles(first, [articleRow(parse(original), original, JSON.stringify(original), 'h1', null)], [parse(original)]);
      await recordChange(first, [parse(original)]);
      await second.query('BEGIN');
      await upsertArticles(second, [articleRow(parse(translation), translation, JSON.stringify(translation), 'h2', null)], [parse(translation)]);
      // Waits for the first transaction (the change sequence is locked), then sees the original it committed.
      const recorded = recordChange(second, [parse(translation)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.query('COMMIT');
      const seq = await recorded;
      await second.query('COMMIT');
      const change = await pool.query<{ feeds: { path: string }[] }>('SELECT feeds FROM changes WHERE seq = $1', [seq]);
      // The original's feeds now link to its translation: they changed too.
      expect(change.rows[0]?.feeds.map((feed) => feed.path)).toEqual(['', '/languages/en', '/languages/ko', '/sections/korea', '/sections/world']);
    } finally {
      first.release();
      second.release();
    }
  });
});
