import { nextSiblingRelease, resolveTranslationGroups, visibleSiblings, type TranslationLink } from '../../model/translations.js';
import type { FiledUnder } from '../../model/feed-filter.js';
import type { Article, Credit } from '../../model/types.js';
import type { TranslationsAt } from '../store.js';
import type { Client, Pool } from './pool.js';
import { articleFromJson } from './rows.js';

/** The original of an article's group: the article it names, or itself. */
function rootOf(article: Omit<Article, 'body'>): string {
  return article.translationOf ?? article.id;
}

/**
 * Every article that could belong to the groups of `articles`: each root
 * and everything naming it. Groups are resolved on exactly these (the same
 * rules as the files backend applies to all articles: a group's members
 * decide it alone).
 * Plan: BitmapOr of Index Scans on articles_pkey (id = ANY) and articles_translation_of (translation_of = ANY).
 */
export async function readGroupMembers(db: Pool | Client, articles: readonly Omit<Article, 'body'>[]): Promise<Article[]> {
  const roots = [...new Set(articles.map(rootOf))];
  if (roots.length === 0) return [];
  const result = await db.query<{ article: unknown }>('SELECT article FROM articles WHERE id = ANY($1::text[]) OR translation_of = ANY($1::text[])', [roots]);
  return result.rows.map((row) => articleFromJson(row.article));
}

/**
 * What files each member of the groups of `articles` (as readGroupMembers
 * reads them) under feeds: only the fields a change needs, from the typed
 * columns and two small JSON values, not every member's whole article
 * (body included) parsed back. A sync batch of 500 new articles read its
 * own 500 bodies back this way.
 *
 * `written` are articles exactly as the caller's transaction has just
 * stored them: those among the members are taken as given instead of read
 * back, which spares the database decompressing their articles (a sync
 * batch's members are mostly its own 500 articles: 9 ms of 10 a batch).
 * Plan: as readGroupMembers.
 */
export async function readGroupFiling(db: Pool | Client, articles: readonly Omit<Article, 'body'>[], written: readonly Omit<Article, 'body'>[] = []): Promise<FiledUnder[]> {
  const roots = [...new Set(articles.map(rootOf))];
  if (roots.length === 0) return [];
  const inRoots = new Set(roots);
  const known = written.filter((article) => inRoots.has(article.id) || (article.translationOf !== undefined && inRoots.has(article.translationOf)));
  const result = await db.query<{ section: string | null; language: string; tags: string[]; credits: Credit[] }>(
    `SELECT section, language, article->'tags' AS tags, article->'credits' AS credits
     FROM articles WHERE (id = ANY($1::text[]) OR translation_of = ANY($1::text[])) AND NOT (id = ANY($2::text[]))`,
    [roots, written.map((article) => article.id)],
  );
  return [...known, ...result.rows.map((row) => ({ ...(row.section === null ? {} : { section: row.section }), language: row.language, tags: row.tags, credits: row.credits }))];
}

/** The translation links `articles` show at `now`, from their groups' members in the database. */
export async function readTranslations(pool: Pool, articles: readonly Article[], now: Date): Promise<TranslationsAt> {
  const links = new Map<string, readonly TranslationLink[]>();
  // Most pages hold no translation at all: one property read per article, no query.
  if (!articles.some((a) => a.translationOf !== undefined) && !(await anyNamesThese(pool, articles))) return { links };
  const { groups } = resolveTranslationGroups(await readGroupMembers(pool, articles));
  for (const article of articles) {
    const siblings = visibleSiblings(groups, article, now);
    if (siblings.length > 0) links.set(article.id, siblings);
  }
  const nextRelease = nextSiblingRelease(groups, articles, now);
  return nextRelease === undefined ? { links } : { links, nextRelease };
}

/** Whether any article names one of these as its original. Plan: Index Only Scan on articles_translation_of. */
async function anyNamesThese(pool: Pool, articles: readonly Article[]): Promise<boolean> {
  const result = await pool.query('SELECT 1 FROM articles WHERE translation_of = ANY($1::text[]) LIMIT 1', [articles.map((a) => a.id)]);
  return result.rows.length > 0;
}
