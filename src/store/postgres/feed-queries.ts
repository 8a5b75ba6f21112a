import type { Cursor } from '../../model/cursor.js';
import type { FeedFilter } from '../../model/feed-filter.js';
import type { FeedQuery } from '../../model/feed-query.js';
import type { StoredItemsWanted } from '../store.js';

/**
 * The one statement per feed page. Feed order is `published` descending,
 * ties by id ascending (ids compare in "C" order, as JS strings do); a page
 * is a keyset range of that order, never an OFFSET, with the exact
 * semantics of `selectPage` (src/model/feed-query.ts, which the files backend runs):
 *
 * - no cursor or `before`: the `limit` newest matching articles strictly
 *   older than the cursor; a next page exists when a matching article is
 *   older than the page's oldest (or than the cursor, for an empty page);
 *   a previous one when a matching article is at or newer than the cursor.
 * - `after`: the `limit` matching articles just newer than the cursor
 *   (scanned oldest first, returned newest first); a next page exists when
 *   a matching article is at or older than the cursor; a previous one when
 *   one is newer than the page's newest (or than the cursor).
 *
 * The neighbour tests are `ORDER BY published … LIMIT 1`, not EXISTS: with
 * EXISTS the planner expects an early match and picks a Seq Scan, which on
 * the oldest page (no older article) reads the whole table; ordered, it
 * walks the index from the boundary and stops at the first row.
 *
 * "Matching" is visible (status published, `published <= now`) and, with
 * `since`, updated after it. Mixed sort directions rule out a row-value
 * comparison, so each keyset bound is the redundant `published <= p`
 * (which the index range uses) and the exact `published < p OR (published
 * = p AND id > i)` (checked on the few rows at p).
 *
 * Plans (EXPLAIN at 100,000 articles, docs/postgres.md has the output):
 * - main feed: Index Scan using articles_feed (partial, status =
 *   'published') with Index Cond on published, stopped by the Limit after
 *   `limit` rows; each EXISTS is one more Index Scan stopped at its first
 *   row; next_release is a backward Index Scan on the same index.
 * - a filtered feed (the largest tag included): Index Scan using
 *   feed_entries_feed with Index Cond (kind, slug, published), the same
 *   shape; the page's articles by Index Scan on articles_pkey.
 * - a deep cursor: the same plans, the Index Cond starts at the cursor's
 *   published, so page 1,000 costs what page 1 does.
 * - the stored items (article_fragments, migration 10) of the format and
 *   render key asked for, when asked: an Index Scan on its primary key per
 *   row, read with the page instead of by a second statement after it (the
 *   cold main feed at a million articles waited ~1 ms more for that round
 *   trip). Not asked, :format is NULL and the join matches nothing.
 * - whether any article names a page's article as its original (`named`):
 *   an Index Only Scan on articles_translation_of per row, so a page
 *   without translations needs no statement after it (readTranslations).
 */

/** Where a feed's candidate rows live, and the SQL naming them. */
interface FeedSource {
  readonly from: string;
  readonly id: string;
  readonly where: string;
  readonly name: string;
}

const MAIN: FeedSource = { from: 'articles f', id: 'f.id', where: `f.status = 'published'`, name: `'All stories'::text` };
const FILTERED: FeedSource = {
  from: 'feed_entries f',
  id: 'f.article_id',
  where: 'f.kind = :kind AND f.slug = :slug',
  // The display name: the newest visible article's spelling.
  name: `(SELECT n.name FROM feed_entries n WHERE n.kind = :kind AND n.slug = :slug AND n.published <= :now ORDER BY n.published DESC, n.article_id ASC LIMIT 1)`,
};

const OLDER_THAN = (p: string, i: string, id: string, inclusive: boolean) => `f.published <= ${p} AND (f.published < ${p} OR ${id} ${inclusive ? '>=' : '>'} ${i})`;
const NEWER_THAN = (p: string, i: string, id: string, inclusive: boolean) => `f.published >= ${p} AND (f.published > ${p} OR ${id} ${inclusive ? '<=' : '<'} ${i})`;

function feedPageSql(source: FeedSource, direction: 'before' | 'after'): string {
  const matching = `${source.where} AND f.published <= :now AND (:since::timestamptz IS NULL OR f.updated > :since)`;
  const id = source.id;
  const edgeP = `coalesce((SELECT published FROM edge), :cp)`;
  const edgeI = `coalesce((SELECT id FROM edge), :ci)`;
  const before = direction === 'before';
  const pageRange = before ? OLDER_THAN(':cp', ':ci', id, false) : NEWER_THAN(':cp', ':ci', id, false);
  const order = before ? `f.published DESC, ${id} ASC` : `f.published ASC, ${id} DESC`;
  const edgeOrder = before ? 'published ASC, id DESC' : 'published DESC, id ASC';
  const hasNext = before ? OLDER_THAN(edgeP, edgeI, id, false) : OLDER_THAN(':cp', ':ci', id, true);
  const hasPrevious = before ? NEWER_THAN(':cp', ':ci', id, true) : NEWER_THAN(edgeP, edgeI, id, false);
  return `
    WITH page AS (
      SELECT ${id} AS id, f.published FROM ${source.from}
      WHERE ${matching} AND ${pageRange}
      ORDER BY ${order} LIMIT :limit
    ),
    edge AS (SELECT published, id FROM page ORDER BY ${edgeOrder} LIMIT 1)
    SELECT
      coalesce((SELECT true FROM ${source.from} WHERE ${matching} AND ${hasNext} ORDER BY f.published DESC LIMIT 1), false) AS has_next,
      coalesce((SELECT true FROM ${source.from} WHERE ${matching} AND ${hasPrevious} ORDER BY f.published ASC LIMIT 1), false) AS has_previous,
      ${source.name} AS name,
      (SELECT (extract(epoch FROM f.published) * 1000)::bigint FROM ${source.from}
        WHERE ${source.where} AND f.published > :now ORDER BY f.published ASC LIMIT 1) AS next_release,
      a.article,
      a.etag,
      i.fragment,
      EXISTS (SELECT 1 FROM articles t WHERE t.translation_of = p.id) AS named
    FROM (SELECT 1) AS one
    LEFT JOIN page p ON true
    LEFT JOIN articles a ON a.id = p.id
    LEFT JOIN article_fragments i ON i.article_id = p.id AND i.format = :format AND i.render_key = :key AND i.etag = a.etag
    ORDER BY p.published DESC, p.id ASC`;
}

/** Replaces `:name` placeholders with $1, $2 … in order of first use; returns the SQL and the names in parameter order. */
export function numbered(sql: string): { readonly text: string; readonly names: readonly string[] } {
  const names: string[] = [];
  // `::type` casts are not placeholders.
  const text = sql.replace(/(?<!:):([a-z]+)/g, (_match, name: string) => {
    let at = names.indexOf(name);
    if (at === -1) at = names.push(name) - 1;
    return `$${at + 1}`;
  });
  return { text, names };
}

/** The four statements: main or filtered feed, each read before (or from the top) or after a cursor. */
const FEED_PAGE_SQL = {
  main: { before: numbered(feedPageSql(MAIN, 'before')), after: numbered(feedPageSql(MAIN, 'after')) },
  filtered: { before: numbered(feedPageSql(FILTERED, 'before')), after: numbered(feedPageSql(FILTERED, 'after')) },
} as const;

/** Years a record's dates may have (load/dates.ts); an instant outside them is before or after every article. */
const FIRST_INSTANT = Date.UTC(1000, 0, 1);
const LAST_INSTANT = Date.UTC(10000, 0, 1);

/**
 * An instant as a timestamptz parameter. Cursors may hold any instant up
 * to ±8.64e15 ms (START_OF_TIME is the lowest), beyond timestamptz's range;
 * every article lies within years 1000–9999, so an instant outside them
 * compares like ±infinity.
 */
export function instantParam(ms: number): string {
  if (ms < FIRST_INSTANT) return '-infinity';
  if (ms >= LAST_INSTANT) return 'infinity';
  return new Date(ms).toISOString();
}

/** The cursor a page is read from: `before`, `after`, or the top of the feed (before +infinity). */
const TOP: Cursor = { published: Number.POSITIVE_INFINITY, id: '' };

/** The statement and its parameters for one feed page. */
export function feedPageStatement(filter: FeedFilter | undefined, query: FeedQuery, now: Date, items?: StoredItemsWanted): { text: string; values: unknown[] } {
  const direction = query.after !== undefined ? 'after' : 'before';
  const cursor = query.after ?? query.before ?? TOP;
  const statement = FEED_PAGE_SQL[filter === undefined ? 'main' : 'filtered'][direction];
  const params: Record<string, unknown> = {
    kind: filter?.kind,
    slug: filter?.slug,
    now: now.toISOString(),
    since: query.since === undefined ? null : instantParam(query.since.getTime()),
    cp: cursor === TOP ? 'infinity' : instantParam(cursor.published),
    ci: cursor.id,
    limit: query.limit,
    format: items?.format ?? null,
    key: items?.key ?? null,
  };
  return { text: statement.text, values: statement.names.map((name) => params[name]) };
}
