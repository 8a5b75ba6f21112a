import { parseArticle } from '../../load/article.js';
import type { Article } from '../../model/types.js';
import { slugify } from '../../model/slug.js';
import type { SlugOf } from '../../model/feed-filter.js';
import type { Client } from './pool.js';
import { ENTRY_COLUMNS } from './copy-binary.js';
import { articleData, articleFromJson, entryRows } from './rows.js';

/** Articles per statement: a few MB of jsonb each. */
const PAGE = 1000;

/** One stored article as a migration step sees it: the Article, and the record's text as written. */
export interface StoredArticle {
  readonly id: string;
  readonly article: Article;
  readonly record: string;
}

/**
 * Calls `each` with every stored article, a page at a time in id order, on
 * the caller's client: inside a migration step's transaction (its `run`),
 * so what `each` writes commits with the step or not at all. For work SQL
 * cannot do: a column made from the record with the loader, slugs
 * (NFKC and SHA-256 of a name, model/slug.ts).
 */
export async function forEachArticlePage(client: Client, each: (page: readonly StoredArticle[]) => Promise<void>): Promise<void> {
  for (let after = ''; ; ) {
    const page = await client.query<{ id: string; article: unknown; record: string }>('SELECT id, article, record FROM articles WHERE id > $1 ORDER BY id LIMIT $2', [after, PAGE]);
    const last = page.rows.at(-1);
    if (last === undefined) return;
    after = last.id;
    await each(page.rows.map((row) => ({ id: row.id, article: articleFromJson(row.article), record: row.record })));
  }
}

/**
 * Gives every stored article what `change` makes of it (undefined: left as
 * it is), and its feed_entries rows made again from the new article by the
 * same code as every write (rows.ts entryRows, with `slugOf`): how a step
 * backfills a new field of the article column or a new filter kind.
 */
export async function backfillArticles(client: Client, change: (stored: StoredArticle) => Article | undefined, slugOf: SlugOf = slugify): Promise<void> {
  await forEachArticlePage(client, async (page) => {
    const articles = page.flatMap((stored) => change(stored) ?? []);
    if (articles.length === 0) return;
    await client.query(
      `UPDATE articles AS a SET article = r.article
       FROM jsonb_to_recordset($1::jsonb) AS r (id text, article jsonb) WHERE a.id = r.id`,
      [JSON.stringify(articles.map((article) => ({ id: article.id, article: articleData(article) })))],
    );
    await client.query('DELETE FROM feed_entries WHERE article_id = ANY($1)', [articles.map((article) => article.id)]);
    const entries = articles.flatMap((article) => entryRows(article, slugOf));
    if (entries.length === 0) return;
    await client.query(
      `INSERT INTO feed_entries (${ENTRY_COLUMNS.join(', ')})
       SELECT ${ENTRY_COLUMNS.join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS r (kind text, slug text, name text, article_id text, published timestamptz, updated timestamptz)`,
      [JSON.stringify(entries)],
    );
  });
}

/**
 * Every stored article made again from its record by today's loader, with
 * its feed entries: the step a new record field needs (rows stored before
 * it hold articles without it, and sync skips files whose bytes have not
 * changed). A record today's loader refuses keeps its article. Records
 * without a language took the site's, which the stored article holds.
 */
export async function reparseRecords(client: Client): Promise<void> {
  await backfillArticles(client, ({ article, record }) => parseArticle(JSON.parse(record), article.source, { language: article.language }).article);
}
