import { ArticleError } from '../../load/errors.js';
import type { Article, Credit } from '../../model/types.js';
import { type ChangedFeed, feedPath, FILTER_KINDS, type FeedFilter, type FilterKind, type FiledUnder } from '../../model/feed-filter.js';
import type { FeedQuery } from '../../model/feed-query.js';
import type { ArticleSummary, Directory, DirectoryEntry, FeedPage, StoredItemsWanted, TranslationsAt } from '../store.js';
import { translationWarnings } from '../translation-warnings.js';
import { feedPageStatement } from './feed-queries.js';
import type { Pool, Client } from './pool.js';
import { articleFromJson, feedsOf } from './rows.js';
import { nextSiblingRelease, resolveTranslationGroups, visibleSiblings, type TranslationLink } from '../../model/translations.js';

/** Named read queries besides the feed page (feed-queries.ts). Each notes the plan it relies on. */

interface PageRow {
  readonly has_next: boolean;
  readonly has_previous: boolean;
  readonly name: string | null;
  readonly next_release: string | null;
  readonly article: unknown;
  readonly etag: string | null;
  /** The article's stored item in the format and render key asked for, when asked and current. */
  readonly fragment: string | null;
  /** Whether any article names this one as its original (a translation of it). */
  readonly named: boolean;
}

/** What readFeedPage notes of the articles it returns, for the store's FragmentStore (item-fragments.ts). */
export interface PageNotes {
  /** Each article's etag: the version its stored items must have been rendered from. */
  readonly etags: WeakMap<Article, string>;
  /** Each article's stored item read with the page, when the caller said which it wants. */
  readonly items: WeakMap<Article, ItemReadWithPage>;
  /** Whether any article named it as its original when the page was read (readTranslations asks no more when none did). */
  readonly named: WeakMap<Article, boolean>;
}

/** An article's stored item as read with its page: `fragment` undefined when none is current. */
export interface ItemReadWithPage {
  readonly wanted: StoredItemsWanted;
  readonly fragment: string | undefined;
}

const START_OF_TIME = { published: -8.64e15, id: '' };

/**
 * One feed page (see feed-queries.ts for the statement); undefined for a
 * filter no visible article carries. Each article's etag is noted in
 * `notes`, and with `items` its current stored item of that format and key
 * (item-fragments.ts answers from them).
 */
export async function readFeedPage(pool: Pool, filter: FeedFilter | undefined, query: FeedQuery, now: Date, notes?: PageNotes, items?: StoredItemsWanted): Promise<FeedPage | undefined> {
  const { text, values } = feedPageStatement(filter, query, now, items);
  const result = await pool.query<PageRow>(text, values);
  const head = result.rows[0];
  if (head === undefined || head.name === null) return undefined;
  const articles: Article[] = [];
  for (const row of result.rows) {
    if (row.article === null) continue;
    const article = articleFromJson(row.article);
    if (notes !== undefined && row.etag !== null) {
      notes.etags.set(article, row.etag);
      notes.named.set(article, row.named);
      if (items !== undefined) notes.items.set(article, { wanted: items, fragment: row.fragment ?? undefined });
    }
    articles.push(article);
  }
  const here = query.before ?? query.after ?? START_OF_TIME;
  const first = articles[0];
  const last = articles[articles.length - 1];
  const at = (article: Article | undefined) => (article === undefined ? here : { published: article.published.getTime(), id: article.id });
  return {
    name: head.name,
    articles,
    ...(head.has_next ? { next: at(last), last: START_OF_TIME } : {}),
    ...(head.has_previous ? { previous: at(first) } : {}),
    ...(head.next_release === null ? {} : { nextRelease: Number(head.next_release) }),
  };
}

export async function readArticle(pool: Pool, id: string): Promise<Article | undefined> {
  // Plan: Index Scan using articles_pkey.
  const result = await pool.query<{ article: unknown }>('SELECT article FROM articles WHERE id = $1', [id]);
  const row = result.rows[0];
  return row === undefined ? undefined : articleFromJson(row.article);
}

export async function readSummaries(pool: Pool): Promise<ArticleSummary[]> {
  // Plan: Index Scan using articles_all (the whole table, in feed order; no sort), ~270 ms at 100,000.
  // Instants travel as epoch milliseconds (float8): node-pg's timestamptz parser took 3 s for 200,000 values.
  const result = await pool.query<{ id: string; headline: string; status: Article['status']; published: number; updated: number; url: string; source: string }>(
    `SELECT a.id, a.headline, a.status, (extract(epoch FROM a.published) * 1000)::float8 AS published, (extract(epoch FROM a.updated) * 1000)::float8 AS updated, a.url, a.source
     FROM articles AS a ORDER BY a.published DESC, a.id ASC`,
  );
  return result.rows.map((row) => ({ id: row.id, headline: row.headline, status: row.status, published: new Date(row.published), updated: new Date(row.updated), url: row.url, source: row.source }));
}

/**
 * Every feed with a visible article at `now`, with counts and display names
 * (the newest visible spelling). Counts come from one pass over the visible
 * entries (a hash aggregate, ~300 ms at 100,000 articles and 700,000
 * entries); each feed's name is then one index lookup (feed_entries_feed,
 * LIMIT 1). The window-function form (DISTINCT ON over every entry, sorted)
 * took 2–4 s. The directory is asked for by the home page and OPML, which
 * are cached per version.
 */
export async function readDirectory(pool: Pool, now: Date): Promise<Directory> {
  // Plan: an Index Scan on articles_feed (published <= now).
  const main = await pool.query<{ count: string; updated: Date | null }>(
    `SELECT count(*) AS count, max(updated) AS updated FROM articles WHERE status = 'published' AND published <= $1`,
    [now.toISOString()],
  );
  // Plan: HashAggregate over a Seq Scan of feed_entries; Nested Loop with a LIMIT 1 Index Scan on feed_entries_feed per feed.
  const filtered = await pool.query<{ kind: FilterKind; slug: string; name: string; count: string }>(
    `SELECT g.kind, g.slug, n.name, g.count
     FROM (SELECT kind, slug, count(*) AS count FROM feed_entries WHERE published <= $1 GROUP BY kind, slug) AS g
     CROSS JOIN LATERAL (
       SELECT e.name FROM feed_entries e
       WHERE e.kind = g.kind AND e.slug = g.slug AND e.published <= $1
       ORDER BY e.published DESC, e.article_id ASC LIMIT 1
     ) AS n`,
    [now.toISOString()],
  );
  const head = main.rows[0];
  const feeds: DirectoryEntry[] = [{ name: 'All stories', path: '', count: Number(head?.count ?? 0) }];
  // Sorted here, in JS string order, as the files backend sorts slugs (the "C" collation orders UTF-8 bytes, not UTF-16 units).
  for (const kind of FILTER_KINDS) {
    const rows = filtered.rows.filter((row) => row.kind === kind).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    for (const row of rows) {
      const filter = { kind, slug: row.slug };
      feeds.push({ filter, name: row.name, path: feedPath(filter), count: Number(row.count) });
    }
  }
  return { feeds, updated: head?.updated ?? new Date(0) };
}

export async function readNextRelease(pool: Pool, now: Date): Promise<Date | undefined> {
  // Plan: Index Scan Backward using articles_feed (published > $1), one row.
  const result = await pool.query<{ published: Date }>(
    `SELECT published FROM articles WHERE status = 'published' AND published > $1 ORDER BY published ASC LIMIT 1`,
    [now.toISOString()],
  );
  return result.rows[0]?.published;
}

/**
 * The feeds whose newest page changes as embargoes lift between `from` and
 * `to`: an article released in that window is newer than everything
 * visible before it, so it tops every feed it is filed under, and the main
 * feed. (A clock set back re-imposes them: the same feeds.)
 */
export async function readReleasedFeeds(pool: Pool, from: Date, to: Date): Promise<ChangedFeed[]> {
  const [low, high] = from.getTime() <= to.getTime() ? [from, to] : [to, from];
  const values = [low.toISOString(), high.toISOString()];
  // Plans: Index Scan using articles_feed and feed_entries_published, (low, high] ranges.
  const main = await pool.query<{ released: boolean }>(`SELECT EXISTS (SELECT 1 FROM articles WHERE status = 'published' AND published > $1 AND published <= $2) AS released`, values);
  if (!main.rows[0]?.released) return [];
  const filtered = await pool.query<{ kind: FilterKind; slug: string }>('SELECT DISTINCT kind, slug FROM feed_entries WHERE published > $1 AND published <= $2', values);
  const feeds = new Map<string, ChangedFeed>([['', { path: '' }]]);
  for (const row of filtered.rows) {
    const filter = { kind: row.kind, slug: row.slug };
    feeds.set(feedPath(filter), { filter, path: feedPath(filter) });
  }
  // A released translation appears as an alternate link in its siblings' feeds too.
  // Plan: Index Scan using articles_feed (published range), then readGroupMembers' index look-ups.
  const released = await pool.query<{ article: unknown }>(`SELECT article FROM articles WHERE status = 'published' AND published > $1 AND published <= $2 AND (translation_of IS NOT NULL OR id IN (SELECT translation_of FROM articles WHERE translation_of IS NOT NULL))`, values);
  const grouped = released.rows.map((row) => articleFromJson(row.article));
  if (grouped.length > 0) for (const feed of feedsOf(await readGroupMembers(pool, grouped))) feeds.set(feed.path, feed);
  return [...feeds.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Article counts and the last sync's reports, for /healthz. */
export async function readHealthCounts(pool: Pool, now: Date): Promise<{ articles: number; visible: number; rejected: ArticleError[]; warnings: ArticleError[] }> {
  // Plan: a Seq Scan (or Index Only Scan on articles_all) counting every row, ~15 ms at 100,000: /healthz
  // is polled every few seconds at most. sync_reports is small (what the last sync found wrong).
  const counts = await pool.query<{ articles: string; visible: string }>(
    `SELECT count(*) AS articles, count(*) FILTER (WHERE status = 'published' AND published <= $1) AS visible FROM articles`,
    [now.toISOString()],
  );
  const reports = await pool.query<{ severity: string; file: string; field: string | null; problem: string }>('SELECT severity, file, field, problem FROM sync_reports ORDER BY name, position');
  const errorOf = (row: { file: string; field: string | null; problem: string }) => new ArticleError(row.file, row.field ?? undefined, row.problem);
  return {
    articles: Number(counts.rows[0]?.articles ?? 0),
    visible: Number(counts.rows[0]?.visible ?? 0),
    rejected: reports.rows.filter((row) => row.severity === 'rejected').map(errorOf),
    warnings: [...reports.rows.filter((row) => row.severity === 'warning').map(errorOf), ...(await readTranslationWarnings(pool))],
  };
}

/**
 * The warnings of broken translation links (store/translation-warnings.ts),
 * resolved over every article that names an original and every original
 * named: what the groups' rules look at, as the files backend resolves them
 * over all its articles.
 * Plan: Index Scan on articles_translation_of for both halves; nothing read when no article names an original.
 */
export async function readTranslationWarnings(db: Pool | Client): Promise<ArticleError[]> {
  const linked = await db.query<{ article: unknown }>('SELECT article FROM articles WHERE translation_of IS NOT NULL OR id IN (SELECT translation_of FROM articles WHERE translation_of IS NOT NULL)');
  return linked.rows.length === 0 ? [] : translationWarnings(linked.rows.map((row) => articleFromJson(row.article)));
}

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
async function readGroupMembers(db: Pool | Client, articles: readonly Omit<Article, 'body'>[]): Promise<Article[]> {
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
export async function readTranslations(pool: Pool, articles: readonly Article[], now: Date, named?: WeakMap<Article, boolean>): Promise<TranslationsAt> {
  const links = new Map<string, readonly TranslationLink[]>();
  // Most pages hold no translation at all: one property read per article, and no query when their page
  // said no article names them (readFeedPage's notes).
  const unnamed = named !== undefined && articles.every((article) => named.get(article) === false);
  if (!articles.some((a) => a.translationOf !== undefined) && (unnamed || !(await anyNamesThese(pool, articles)))) return { links };
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
