import { Slugger } from '../../model/slug.js';
import { backfillArticles } from './backfill.js';
import type { Client } from './pool.js';

/**
 * Gives rows written before migration 7 the slugs of model/slug.ts as it is
 * now (issue 24: `C++` and `C#` had the slug `c`, long names slugs too long
 * to request): each article's credit slugs, and its feed_entries rows made
 * again from the stored article. SQL cannot compute the slugs (NFKC and
 * SHA-256 of the name), so this runs in JS, inside the migration's
 * transaction (backfill.ts). A tag a record lost to the old slugs (tags `C`
 * and `C++` on one record kept only `C`) comes back when the record is next
 * written or synced; the files backend re-reads every record at start.
 */
export async function reslugArticles(client: Client): Promise<void> {
  const slugs = new Slugger();
  await backfillArticles(client, ({ article }) => ({ ...article, credits: article.credits.map((credit) => ({ ...credit, slug: slugs.slugify(credit.name) })) }), slugs.slugify);
}
