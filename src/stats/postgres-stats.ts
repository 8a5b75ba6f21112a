import { createPool, inTransaction, type Pool } from '../store/postgres/pool.js';
import { emptyKinds, type DayStats, type FeedDay, type StatsStore } from './day-stats.js';
import { createSketch, mergeSketch, SKETCH_REGISTERS } from './sketch.js';

/**
 * Counts on PostgreSQL (tables of migration 8, migration-8-readership.ts):
 * every replica adds its counts to the same rows, so a row is the fleet's.
 * One transaction per flush; feeds are written in path order, so two
 * replicas flushing at once wait for each other instead of deadlocking.
 * A small pool of its own (2 connections): a flush a minute never competes
 * with feed reads for the store's connections.
 */
export function createPostgresStats(url: string): StatsStore {
  const pool = createPool({ url, size: 2 });
  return {
    add: (days) => inTransaction(pool, async (client) => {
      for (const day of days) {
        for (const feed of [...day.feeds].sort((a, b) => (a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0))) {
          const k = feed.byKind;
          // Plan: primary key (day, feed) for the conflict; one row locked until COMMIT.
          const stored = await client.query<{ clients: Buffer | null }>(
            `INSERT INTO readership_feed_days AS t (day, feed, requests, ok, not_modified, bytes, hosted, app, browser, crawler, unknown)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (day, feed) DO UPDATE SET requests = t.requests + EXCLUDED.requests, ok = t.ok + EXCLUDED.ok,
               not_modified = t.not_modified + EXCLUDED.not_modified, bytes = t.bytes + EXCLUDED.bytes, hosted = t.hosted + EXCLUDED.hosted,
               app = t.app + EXCLUDED.app, browser = t.browser + EXCLUDED.browser, crawler = t.crawler + EXCLUDED.crawler, unknown = t.unknown + EXCLUDED.unknown
             RETURNING clients`,
            [day.day, feed.feed, feed.requests, feed.ok, feed.notModified, feed.bytes, k.hosted, k.app, k.browser, k.crawler, k.unknown],
          );
          if (feed.clients !== undefined) {
            // Register-wise maximum, done here: SQL has no cheap byte-wise max of two bytea values.
            const merged = createSketch();
            const old = stored.rows[0]?.clients;
            if (old && old.length === SKETCH_REGISTERS) mergeSketch(merged, new Uint8Array(old));
            mergeSketch(merged, feed.clients);
            await client.query('UPDATE readership_feed_days SET clients = $3 WHERE day = $1 AND feed = $2', [day.day, feed.feed, Buffer.from(merged)]);
          }
          for (const r of feed.fetchers) {
            await client.query(
              `INSERT INTO readership_fetchers AS t (day, feed, fetcher, feed_id, subscribers, reported_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
               ON CONFLICT (day, feed, fetcher, feed_id) DO UPDATE SET subscribers = EXCLUDED.subscribers, reported_at = EXCLUDED.reported_at
               WHERE EXCLUDED.reported_at >= t.reported_at`,
              [day.day, feed.feed, r.fetcher, r.feedId, r.subscribers, r.at],
            );
          }
        }
        for (const [partner, requests] of Object.entries(day.partners)) {
          await client.query(
            `INSERT INTO readership_partners AS t (day, partner, requests) VALUES ($1, $2, $3)
             ON CONFLICT (day, partner) DO UPDATE SET requests = t.requests + EXCLUDED.requests`,
            [day.day, partner, requests],
          );
        }
      }
    }),
    read: (from, to) => readDays(pool, from, to),
    close: () => pool.end(),
  };
}

interface FeedRow {
  day: string;
  feed: string;
  requests: string;
  ok: string;
  not_modified: string;
  bytes: string;
  hosted: string;
  app: string;
  browser: string;
  crawler: string;
  unknown: string;
  clients: Buffer | null;
}

/** Three range reads on the primary keys (day first), put together by day and feed. */
async function readDays(pool: Pool, from: string, to: string): Promise<DayStats[]> {
  const range = [from, to];
  const [feeds, fetchers, partners] = await Promise.all([
    pool.query<FeedRow>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, feed, requests, ok, not_modified, bytes, hosted, app, browser, crawler, unknown, clients FROM readership_feed_days WHERE day BETWEEN $1 AND $2 ORDER BY day, feed`, range),
    pool.query<{ day: string; feed: string; fetcher: string; feed_id: string; subscribers: number; at: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, feed, fetcher, feed_id, subscribers, (extract(epoch FROM reported_at) * 1000)::float8 AS at FROM readership_fetchers WHERE day BETWEEN $1 AND $2 ORDER BY day, feed, fetcher, feed_id`,
      range,
    ),
    pool.query<{ day: string; partner: string; requests: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, partner, requests FROM readership_partners WHERE day BETWEEN $1 AND $2`, range),
  ]);
  const days = new Map<string, { feeds: FeedDay[]; partners: Record<string, number> }>();
  const dayOf = (day: string) => days.get(day) ?? days.set(day, { feeds: [], partners: {} }).get(day)!;
  const reports = new Map<string, FeedDay['fetchers'][number][]>();
  for (const r of fetchers.rows) {
    const key = `${r.day}\n${r.feed}`;
    (reports.get(key) ?? reports.set(key, []).get(key)!).push({ fetcher: r.fetcher, feedId: r.feed_id, subscribers: r.subscribers, at: Math.round(r.at) });
  }
  for (const r of feeds.rows) {
    const byKind = { ...emptyKinds(), hosted: Number(r.hosted), app: Number(r.app), browser: Number(r.browser), crawler: Number(r.crawler), unknown: Number(r.unknown) };
    const clients = r.clients && r.clients.length === SKETCH_REGISTERS ? new Uint8Array(r.clients) : undefined;
    dayOf(r.day).feeds.push({ feed: r.feed, requests: Number(r.requests), ok: Number(r.ok), notModified: Number(r.not_modified), bytes: Number(r.bytes), byKind, fetchers: reports.get(`${r.day}\n${r.feed}`) ?? [], clients });
  }
  for (const r of partners.rows) dayOf(r.day).partners[r.partner] = Number(r.requests);
  return [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, d]) => ({ day, ...d }));
}
