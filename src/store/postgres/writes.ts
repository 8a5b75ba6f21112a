import type { Article } from '../../model/types.js';
import type { ChangedFeed } from '../../model/feed-filter.js';
import type { Client } from './pool.js';
import { articleFromJson, entryRows, feedsOf, type ArticleRow } from './rows.js';
import { readGroupMembers } from './translation-queries.js';

/** Changes kept in the outbox: days of edits, far more than a replica misses while reconnecting. */
export const CHANGES_KEPT = 10_000;

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

/**
 * Inserts or replaces articles and their feed entries: two statements for
 * the whole batch (jsonb_to_recordset turns one JSON parameter into rows,
 * so a batch of 500 is one round trip, and every value stays a parameter).
 * Returns the ids that were new.
 */
export async function upsertArticles(client: Client, rows: readonly ArticleRow[], articles: readonly Article[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const upserted = await client.query<{ id: string; inserted: boolean }>(
    `INSERT INTO articles (id, url, headline, published, updated, status, language, section, source, file, content_hash, translation_of, record, etag, article)
     SELECT id, url, headline, published, updated, status, language, section, source, file, content_hash, translation_of, record, etag, article
     FROM jsonb_to_recordset($1::jsonb) AS r (id text, url text, headline text, published timestamptz, updated timestamptz, status text, language text,
       section text, source text, file text, content_hash text, translation_of text, record jsonb, etag text, article jsonb)
     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, headline = EXCLUDED.headline, published = EXCLUDED.published, updated = EXCLUDED.updated,
       status = EXCLUDED.status, language = EXCLUDED.language, section = EXCLUDED.section, source = EXCLUDED.source,
       file = EXCLUDED.file, content_hash = EXCLUDED.content_hash, translation_of = EXCLUDED.translation_of, record = EXCLUDED.record, etag = EXCLUDED.etag, article = EXCLUDED.article
     RETURNING id, (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  // xmax = 0: the row version was inserted, not updated. Exact even when two writers create one id at once
  // (the second waits for the first and updates), where "was it there when I looked" is not.
  const inserted = new Set(upserted.rows.filter((row) => row.inserted).map((row) => row.id));
  // Plan: Index Scan using feed_entries_article (article_id = ANY).
  await client.query('DELETE FROM feed_entries WHERE article_id = ANY($1::text[])', [rows.map((row) => row.id)]);
  const entries = articles.flatMap(entryRows);
  if (entries.length === 0) return inserted;
  await client.query(
    `INSERT INTO feed_entries (kind, slug, name, article_id, published, updated)
     SELECT kind, slug, name, article_id, published, updated
     FROM jsonb_to_recordset($1::jsonb) AS r (kind text, slug text, name text, article_id text, published timestamptz, updated timestamptz)`,
    [JSON.stringify(entries)],
  );
  return inserted;
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
 * `touched` are the old and new versions of every changed article.
 */
export async function recordChange(client: Client, touched: Iterable<Article>): Promise<number> {
  // A draft is in no feed and linked from no sibling: a write that touches only drafts changes no feed, and
  // announces none (the files backend compares what the feeds show; WebSub pinged 24 URLs per draft edit here).
  const changed = [...touched].filter((article) => article.status === 'published');
  // A translation's headline, URL or status shows in its siblings' feeds too (their alternate links).
  const feeds: ChangedFeed[] = changed.length === 0 ? [] : feedsOf([...changed, ...(await readGroupMembers(client, changed))]);
  const bumped = await client.query<{ value: string }>('UPDATE change_sequence SET value = value + 1 RETURNING value');
  const seq = Number(bumped.rows[0]?.value);
  await client.query('INSERT INTO changes (seq, feeds) VALUES ($1, $2::jsonb)', [seq, JSON.stringify(feeds)]);
  // Pings and purges travel with the data too: sent once for the fleet, even if this replica dies now.
  await client.query('INSERT INTO deliveries (seq, feeds) VALUES ($1, $2::jsonb)', [seq, JSON.stringify(feeds)]);
  await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, String(seq)]);
  // The outbox keeps the last CHANGES_KEPT changes (Index Scan on changes_pkey); a listener further behind
  // than that is told that everything changed (see change-feed.ts).
  await client.query('DELETE FROM changes WHERE seq <= $1', [seq - CHANGES_KEPT]);
  // With no hub and no webhook configured nobody drains deliveries: keep as many as changes (Index Scan on deliveries_seq).
  await client.query('DELETE FROM deliveries WHERE seq <= $1', [seq - CHANGES_KEPT]);
  return seq;
}
