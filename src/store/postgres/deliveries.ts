import type { ChangedFeed } from '../../model/feed-filter.js';
import type { Delivery, Outbox } from '../store.js';
import { guarded, inTransaction, type Pool } from './pool.js';
import { readReleasedFeeds } from './read-queries.js';

/**
 * The deliveries outbox (migration 3). Time is the database's: replicas
 * whose clocks disagree still agree on when a lease runs out.
 */
export function createOutbox(url: string, pool: Pool): Outbox {
  return {
    claim: (limit, leaseMs) =>
      guarded(url, async () => {
        // Plan: Index Scan using deliveries_due (available_at <= now()), LockRows skipping rows another replica holds.
        // A claimed row (attempts > 0) whose lease ran out while the server was down counts as held for one
        // more lease after it started again: its holder may have sent it and be waiting to record that.
        const claimed = await pool.query<{ id: string; feeds: ChangedFeed[]; done: string[]; attempts: number }>(
          `UPDATE deliveries SET available_at = now() + $2 * interval '1 millisecond', attempts = attempts + 1
           WHERE id IN (SELECT id FROM deliveries WHERE available_at <= now()
             AND (attempts = 0 OR available_at >= pg_postmaster_start_time() OR now() >= pg_postmaster_start_time() + $2 * interval '1 millisecond')
             ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING id, feeds, done, attempts`,
          [limit, leaseMs],
        );
        return claimed.rows.map((row): Delivery => ({ id: Number(row.id), feeds: row.feeds, done: row.done, attempts: row.attempts })).sort((a, b) => a.id - b.id);
      }),
    extend: (ids, leaseMs) =>
      guarded(url, async () => {
        // Plan: Index Scan using deliveries_pkey (id = ANY). A completed row is gone and simply not matched.
        await pool.query(`UPDATE deliveries SET available_at = now() + $2 * interval '1 millisecond' WHERE id = ANY($1::bigint[])`, [ids, leaseMs]);
      }),
    complete: (id) => guarded(url, async () => void (await pool.query('DELETE FROM deliveries WHERE id = $1', [id]))),
    retry: (id, done, delayMs) =>
      guarded(url, async () => void (await pool.query(`UPDATE deliveries SET done = $2, available_at = now() + $3 * interval '1 millisecond' WHERE id = $1`, [id, done, delayMs]))),
    recordReleases: (now) =>
      guarded(url, () =>
        inTransaction(pool, async (client) => {
          // The row lock makes the replicas take turns; the second finds the mark already at (or past) its instant.
          const mark = await client.query<{ released_up_to: Date }>('SELECT released_up_to FROM release_mark FOR UPDATE');
          const from = mark.rows[0]?.released_up_to;
          if (from === undefined || now.getTime() <= from.getTime()) return false;
          const feeds = await readReleasedFeeds(client as unknown as Pool, from, now);
          await client.query('UPDATE release_mark SET released_up_to = $1', [now.toISOString()]);
          if (feeds.length === 0) return false;
          await client.query('INSERT INTO deliveries (feeds) VALUES ($1::jsonb)', [JSON.stringify(feeds)]);
          return true;
        }),
      ),
  };
}
