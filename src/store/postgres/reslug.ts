import { Slugger } from '../../model/slug.js';
import type { Client } from './pool.js';
import { ENTRY_COLUMNS } from './copy-binary.js';
import { articleFromJson, entryRows } from './rows.js';

/** Articles re-slugged per statement: a few MB of jsonb each. */
const PAGE = 1000;

/**
 * Gives rows written before migration 7 the slugs of model/slug.ts as it is
 * now (issue 24: `C++` and `C#` had the slug `c`, long names slugs too long
 * to request): each article's credit slugs, and its feed_entries rows made
 * again from the stored article. SQL cannot compute the slugs (NFKC and
 * SHA-256 of the name), so this runs in JS, inside the migration's
 * transaction. A tag a record lost to the old slugs (tags `C` and `C++` on
 * one record kept only `C`) comes back when the record is next written or
 * synced; the files backend re-reads every record at start.
 */
export async function reslugArticles(client: Client): Promise<void> {
  const slugs = new Slugger();
  for (let after = ''; ; ) {
    const page = await client.query<{ id: string; article: unknown }>('SELECT id, article FROM articles WHERE id > $1 ORDER BY id LIMIT $2', [after, PAGE]);
    const last = page.rows.at(-1);
    if (last === undefined) return;
    after = last.id;
    const articles = page.rows.map((row) => {
      const article = articleFromJson(row.article);
      return { ...article, credits: article.credits.map((credit) => ({ ...credit, slug: slugs.slugify(credit.name) })) };
    });
    await client.query(
      `UPDATE articles AS a SET article = jsonb_set(a.article, '{credits}', r.credits)
       FROM jsonb_to_recordset($1::jsonb) AS r (id text, credits jsonb) WHERE a.id = r.id`,
      [JSON.stringify(articles.map((article) => ({ id: article.id, credits: article.credits })))],
    );
    await client.query('DELETE FROM feed_entries WHERE article_id = ANY($1)', [articles.map((article) => article.id)]);
    const entries = articles.flatMap((article) => entryRows(article, slugs.slugify));
    if (entries.length === 0) continue;
    await client.query(
      `INSERT INTO feed_entries (${ENTRY_COLUMNS.join(', ')})
       SELECT ${ENTRY_COLUMNS.join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS r (kind text, slug text, name text, article_id text, published timestamptz, updated timestamptz)`,
      [JSON.stringify(entries)],
    );
  }
}
