import type { ArticleError } from '../../load/errors.js';
import type { Article } from '../../model/types.js';
import type { ChangedFeed } from '../../model/feed-filter.js';
import { isVisible } from '../../model/feed-query.js';
import type { Client } from './pool.js';
import { ARTICLE_COLUMNS, ARTICLE_TYPES, articleRowValues, CopyRows, ENTRY_COLUMNS, ENTRY_TYPES } from './copy-binary.js';
import { copyRows } from './copy-rows.js';
import { articleFromJson, entryRows, feedsOf, type ArticleRow } from './rows.js';
import { Slugger } from '../../model/slug.js';
import { readGroupFiling } from './read-queries.js';

/** Changes kept in the outbox: days of edits, far more than a replica misses while reconnecting. */
const CHANGES_KEPT = 10_000;

/** The channel every write notifies, with the new sequence number as payload. */
export const CHANGES_CHANNEL = 'wirefeed_changes';

/**
 * The articles stored under these ids, locked until the transaction ends
 * (FOR UPDATE), so a concurrent write to the same id waits and the change
 * computed from them is exact.
 */
export async function lockArticles(client: Client, ids: readonly string[]): Promise<Map<string, Article>> {
  // Plan: Index Scan using articles_pkey (id = ANY).
  const result = await client.query<{ article: unknown }>('SELECT article FROM articles WHERE id = ANY($1::text[]) FOR UPDATE', [ids]);
  return new Map(result.rows.map((row) => [articleFromJson(row.article).id, articleFromJson(row.article)]));
}

const UPDATE_ALL = ARTICLE_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');

/**
 * Rows from which a batch goes through COPY and a staging table instead of
 * one jsonb_to_recordset statement: creating the (session) staging table
 * and a second statement cost more than they save on a single API write.
 */
export const COPY_FROM_ROWS = 50;

/**
 * A bulk batch as COPY rows (copy-binary.ts): the ids, in order, and for
 * each article its articles row and its feed_entries rows, as bytes. Sync's
 * reading threads build these, so the writing thread only moves bytes.
 */
export interface CopyBatch {
  readonly ids: readonly string[];
  readonly articleRows: readonly Uint8Array[];
  readonly entryRows: readonly Uint8Array[];
}

/**
 * Inserts or replaces articles and their feed entries. Small batches (an API
 * write) are two statements whose rows come from one JSON parameter; bulk
 * batches (sync, gen-corpus) go by COPY (see copyArticles). Returns the ids
 * that were new.
 */
export async function upsertArticles(client: Client, rows: readonly ArticleRow[], articles: readonly Article[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  if (rows.length >= COPY_FROM_ROWS) {
    const encoded = new CopyRows();
    for (const row of rows) encoded.row(articleRowValues(row), ARTICLE_TYPES);
    const articleRows = [encoded.take()];
    encoded.clear();
    const slugs = new Slugger();
    for (const entry of articles.flatMap((article) => entryRows(article, slugs.slugify))) encoded.row(ENTRY_COLUMNS.map((column) => entry[column]), ENTRY_TYPES);
    return copyArticles(client, { ids: rows.map((row) => row.id), articleRows, entryRows: [encoded.take()] });
  }
  const upserted = await client.query<{ id: string; inserted: boolean }>(
    `INSERT INTO articles (${ARTICLE_COLUMNS.join(', ')})
     SELECT ${ARTICLE_COLUMNS.join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS r (id text, url text, headline text, published timestamptz, updated timestamptz, status text, language text,
       section text, source text, file text, content_hash text, translation_of text, record text, etag text, article jsonb)
     ON CONFLICT (id) DO UPDATE SET ${UPDATE_ALL}
     RETURNING id, (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  const inserted = await replaceEntriesOfExisting(client, rows.map((row) => row.id), upserted.rows);
  // A batch is up to thousands of articles whose section and tag names repeat: slug each name once.
  const slugs = new Slugger();
  const entries = articles.flatMap((article) => entryRows(article, slugs.slugify));
  if (entries.length === 0) return inserted;
  await client.query(
    `INSERT INTO feed_entries (${ENTRY_COLUMNS.join(', ')})
     SELECT ${ENTRY_COLUMNS.join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS r (kind text, slug text, name text, article_id text, published timestamptz, updated timestamptz)`,
    [JSON.stringify(entries)],
  );
  return inserted;
}

/**
 * A bulk batch by COPY: the articles streamed into a temporary staging
 * table and merged with one INSERT … ON CONFLICT (or straight in: see
 * mergeStaged), their feed entries COPYed straight in (their articles are
 * locked by this transaction, so no other writer adds entries for them).
 * Returns the ids that were new.
 */
export async function copyArticles(client: Client, batch: CopyBatch): Promise<Set<string>> {
  if (batch.ids.length === 0) return new Set();
  const upserted = await mergeStaged(client, batch);
  const inserted = await replaceEntriesOfExisting(client, batch.ids, upserted.rows);
  if (batch.entryRows.some((bytes) => bytes.length > 0)) await copyRows(client, 'feed_entries', ENTRY_COLUMNS, batch.entryRows);
  return inserted;
}

/** The ids that were inserted (xmax = 0); the feed entries of those that were updated deleted, for the caller to write again. */
async function replaceEntriesOfExisting(client: Client, ids: readonly string[], upserted: readonly { id: string; inserted: boolean }[]): Promise<Set<string>> {
  // xmax = 0: the row version was inserted, not updated. Exact even when two writers create one id at once
  // (the second waits for the first and updates), where "was it there when I looked" is not.
  const inserted = new Set(upserted.filter((row) => row.inserted).map((row) => row.id));
  // Only rows that existed can have entries: a batch of new articles (a first load) skips the index probes.
  const existing = ids.filter((id) => !inserted.has(id));
  // Plan: Index Scan using feed_entries_article (article_id = ANY).
  if (existing.length > 0) await client.query('DELETE FROM feed_entries WHERE article_id = ANY($1::text[])', [existing]);
  return inserted;
}

/**
 * The articles of a bulk batch. When none of its ids is stored yet (a first
 * load), the rows are COPYed straight into articles, under a savepoint:
 * should another writer create one of the ids meanwhile, the batch falls
 * back to the merge. Otherwise they are COPYed into this session's staging
 * table (emptied at commit) and merged with one INSERT … ON CONFLICT.
 * Straight in saves compressing every record twice (once into the staging
 * table's TOAST).
 */
async function mergeStaged(client: Client, batch: CopyBatch): Promise<{ rows: { id: string; inserted: boolean }[] }> {
  const { ids } = batch;
  // Plan: Index Only Scan using articles_pkey (id = ANY).
  const stored = await client.query('SELECT 1 FROM articles WHERE id = ANY($1::text[]) LIMIT 1', [ids]);
  if (stored.rows.length === 0) {
    await client.query('SAVEPOINT copy_articles');
    try {
      await copyRows(client, 'articles', ARTICLE_COLUMNS, batch.articleRows);
      await client.query('RELEASE SAVEPOINT copy_articles');
      return { rows: ids.map((id) => ({ id, inserted: true })) };
    } catch (error) {
      // 23505: an id was created since the look-up above; anything else is a real failure.
      if ((error as { code?: unknown }).code !== '23505') throw error;
      await client.query('ROLLBACK TO SAVEPOINT copy_articles');
    }
  }
  // Temporary: no WAL, private to the connection; kept for the session so later batches reuse it.
  await client.query('CREATE TEMP TABLE IF NOT EXISTS articles_incoming (LIKE articles) ON COMMIT DELETE ROWS');
  await copyRows(client, 'articles_incoming', ARTICLE_COLUMNS, batch.articleRows);
  return client.query<{ id: string; inserted: boolean }>(
    `INSERT INTO articles (${ARTICLE_COLUMNS.join(', ')})
     SELECT ${ARTICLE_COLUMNS.join(', ')} FROM articles_incoming
     ON CONFLICT (id) DO UPDATE SET ${UPDATE_ALL}
     RETURNING id, (xmax = 0) AS inserted`,
  );
}

/** Deletes articles (their feed entries go with them: ON DELETE CASCADE); returns the ids that were there. */
export async function deleteArticles(client: Client, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await client.query<{ id: string }>('DELETE FROM articles WHERE id = ANY($1::text[]) RETURNING id', [ids]);
  return result.rows.map((row) => row.id);
}

/**
 * Records a change in the write's own transaction: bumps the sequence
 * (its row lock orders concurrent writers, so sequence numbers commit in
 * order), writes the outbox row listing the feeds touched, and queues the
 * NOTIFY, which PostgreSQL delivers only if the transaction commits.
 * `touched` are the old and new versions of every changed article (their
 * bodies play no part: sync passes them without); `written`, those of them
 * this transaction stored, as stored (see readGroupFiling). Caches drop
 * every feed a published article is in, embargoed or not (its release is
 * their next expiry); the outbox announces only feeds whose readers see a
 * difference at `now`, as the files backend does: the release itself is
 * announced once for the fleet when it comes (Outbox.recordReleases).
 */
export async function recordChange(client: Client, touched: Iterable<Omit<Article, 'body'>>, written: readonly Omit<Article, 'body'>[] = [], now: Date = new Date()): Promise<number> {
  // A draft is in no feed and linked from no sibling: a write that touches only drafts changes no feed, and
  // announces none (the files backend compares what the feeds show; WebSub pinged 24 URLs per draft edit here).
  const changed = [...touched].filter((article) => article.status === 'published');
  const bumped = await client.query<{ value: string }>('UPDATE change_sequence SET value = value + 1 RETURNING value');
  const seq = Number(bumped.rows[0]?.value);
  // A translation's headline, URL or status shows in its siblings' feeds too (their alternate links). Read
  // with the sequence row locked, so every earlier change has committed: two writes at once (an original
  // and its translation, by two replicas or two sync batches) each see the other's article, whichever is
  // second, instead of both announcing only their own feeds and leaving a sibling's feed cached stale.
  const feeds: ChangedFeed[] = changed.length === 0 ? [] : feedsOf([...changed, ...(await readGroupFiling(client, changed, written))]);
  await client.query('INSERT INTO changes (seq, feeds) VALUES ($1, $2::jsonb)', [seq, JSON.stringify(feeds)]);
  // Writing or editing a story under embargo changed nothing readers see: a ping and a purge per feed for it
  // announced feeds that had not changed.
  const shown = changed.filter((article) => isVisible(article, now));
  const announced = shown.length === changed.length ? feeds : shown.length === 0 ? [] : feedsOf([...shown, ...(await readGroupFiling(client, shown, written))]);
  // Pings and purges travel with the data too: sent once for the fleet, even if this replica dies now.
  if (announced.length > 0) await client.query('INSERT INTO deliveries (seq, feeds) VALUES ($1, $2::jsonb)', [seq, JSON.stringify(announced)]);
  await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, String(seq)]);
  // The outbox keeps the last CHANGES_KEPT changes (Index Scan on changes_pkey); a listener further behind
  // than that is told that everything changed (see change-feed.ts).
  await client.query('DELETE FROM changes WHERE seq <= $1', [seq - CHANGES_KEPT]);
  // With no hub and no webhook configured nobody drains deliveries: keep as many as changes (Index Scan on deliveries_seq).
  await client.query('DELETE FROM deliveries WHERE seq <= $1', [seq - CHANGES_KEPT]);
  return seq;
}

/** What a file drew at its last read: a rejection or a warning, for /healthz (table sync_reports). */
export interface FileReport {
  readonly name: string;
  readonly severity: 'rejected' | 'warning';
  readonly error: ArticleError;
}

/**
 * Replaces the reports of the files `names` (inside articles/) with
 * `reports`, in the caller's transaction: sync for the files it read, and
 * an API write for the file the files backend would have written or removed,
 * so /healthz lists the same warnings on both backends.
 */
export async function replaceReports(client: Client, names: readonly string[], reports: readonly FileReport[]): Promise<void> {
  await client.query('DELETE FROM sync_reports WHERE name = ANY($1::text[])', [names]);
  if (reports.length === 0) return;
  await client.query(
    `INSERT INTO sync_reports (name, position, severity, file, field, problem)
     SELECT name, position, severity, file, field, problem FROM jsonb_to_recordset($1::jsonb)
       AS r (name text, position integer, severity text, file text, field text, problem text)`,
    [JSON.stringify(reports.map((r, i) => ({ name: r.name, position: i, severity: r.severity, file: r.error.file, field: r.error.field ?? null, problem: r.error.problem })))],
  );
}
