import { createPool, inTransaction, type Pool } from '../store/postgres/pool.js';
import type { ActivityPubState, ClaimedDelivery, Follower, LedgerEntry, StoredKeyPair, Verb } from './state.js';

/** Any 64-bit number unique to wirefeed's ActivityPub: replicas compare stories with the ledger one at a time. */
const RECONCILE_LOCK = 7_301_220_431;

const at = (ms: number): string => new Date(ms).toISOString();

/**
 * ActivityPub's state in the ap_* tables (migration 9), on a small pool of
 * its own. Every replica compares; the advisory lock makes them take turns,
 * so the second finds the ledger current and queues nothing: each story is
 * announced once for the fleet. Deliveries are claimed FOR UPDATE SKIP
 * LOCKED with a lease, as the WebSub outbox is (store/postgres/deliveries.ts).
 */
export function createPostgresState(url: string): ActivityPubState {
  const pool: Pool = createPool({ url, size: 3 });
  return {
    async keyPair(actor, generate) {
      // Plan: Index Scan using ap_keys_pkey.
      const found = await pool.query<{ public_key: StoredKeyPair['publicKey']; private_key: StoredKeyPair['privateKey'] }>('SELECT public_key, private_key FROM ap_keys WHERE actor = $1', [actor]);
      if (found.rows[0]) return { publicKey: found.rows[0].public_key, privateKey: found.rows[0].private_key };
      const pair = await generate();
      // Two replicas generating at once: the first insert wins and both use it.
      await pool.query('INSERT INTO ap_keys (actor, public_key, private_key) VALUES ($1, $2, $3) ON CONFLICT (actor) DO NOTHING', [actor, JSON.stringify(pair.publicKey), JSON.stringify(pair.privateKey)]);
      const kept = await pool.query<{ public_key: StoredKeyPair['publicKey']; private_key: StoredKeyPair['privateKey'] }>('SELECT public_key, private_key FROM ap_keys WHERE actor = $1', [actor]);
      const row = kept.rows[0] as { public_key: StoredKeyPair['publicKey']; private_key: StoredKeyPair['privateKey'] };
      return { publicKey: row.public_key, privateKey: row.private_key };
    },
    async followers(actor) {
      const rows = await pool.query<Follower>('SELECT follower AS id, inbox FROM ap_followers WHERE actor = $1 ORDER BY followed_at, follower', [actor]);
      return rows.rows;
    },
    async addFollower(actor, follower) {
      await pool.query('INSERT INTO ap_followers (actor, follower, inbox) VALUES ($1, $2, $3) ON CONFLICT (actor, follower) DO UPDATE SET inbox = EXCLUDED.inbox', [actor, follower.id, follower.inbox]);
    },
    async removeFollower(actor, followerId) {
      await pool.query('DELETE FROM ap_followers WHERE actor = $1 AND follower = $2', [actor, followerId]);
    },
    reconcile: (decide) =>
      inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [RECONCILE_LOCK]);
        const started = (await client.query('SELECT 1 FROM ap_ledger_started')).rows.length > 0;
        let ledger: Map<string, LedgerEntry> | undefined;
        if (started) {
          const rows = await client.query<{ article_id: string; fingerprint: string; actors: string[] }>('SELECT article_id, fingerprint, actors FROM ap_ledger');
          ledger = new Map(rows.rows.map((row) => [row.article_id, { fingerprint: row.fingerprint, actors: row.actors }]));
        }
        const followersOf = async (actor: string) => (await client.query<Follower>('SELECT follower AS id, inbox FROM ap_followers WHERE actor = $1', [actor])).rows;
        const changes = await decide(ledger, followersOf);
        if (!started) await client.query('INSERT INTO ap_ledger_started VALUES (true) ON CONFLICT DO NOTHING');
        const gone = [...changes.entries].filter(([, entry]) => entry === undefined).map(([id]) => id);
        const kept = [...changes.entries].flatMap(([id, entry]) => (entry === undefined ? [] : [{ id, fingerprint: entry.fingerprint, actors: entry.actors }]));
        if (gone.length > 0) await client.query('DELETE FROM ap_ledger WHERE article_id = ANY($1::text[])', [gone]);
        if (kept.length > 0)
          await client.query(
            `INSERT INTO ap_ledger (article_id, fingerprint, actors)
             SELECT e.id, e.fingerprint, ARRAY(SELECT jsonb_array_elements_text(e.actors)) FROM jsonb_to_recordset($1::jsonb) AS e(id text, fingerprint text, actors jsonb)
             ON CONFLICT (article_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, actors = EXCLUDED.actors`,
            [JSON.stringify(kept)],
          );
        if (changes.jobs.length > 0)
          await client.query(
            `INSERT INTO ap_deliveries (actor, inbox, verb, article_id, stamp)
             SELECT j->>'actor', j->>'inbox', j->>'verb', j->>'articleId', j->>'stamp' FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(j, n) ORDER BY n`,
            [JSON.stringify(changes.jobs)],
          );
      }),
    async claim(now, limit, leaseMs) {
      // Plan: Index Scan using ap_deliveries_due (available_at <= $1), LockRows skipping rows another replica holds.
      const rows = await pool.query<{ id: string; actor: string; inbox: string; verb: Verb; article_id: string; stamp: string; attempts: number; since: Date | null }>(
        `WITH claimed AS (
           UPDATE ap_deliveries SET available_at = $1::timestamptz + $3 * interval '1 millisecond', attempts = attempts + 1
           WHERE id IN (SELECT id FROM ap_deliveries WHERE available_at <= $1 ORDER BY available_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING *)
         SELECT c.*, f.since FROM claimed c LEFT JOIN ap_failing_inboxes f ON f.inbox = c.inbox ORDER BY c.id`,
        [at(now), limit, leaseMs],
      );
      return rows.rows.map((row): ClaimedDelivery => ({ id: Number(row.id), actor: row.actor, inbox: row.inbox, verb: row.verb, articleId: row.article_id, stamp: row.stamp, attempts: row.attempts, ...(row.since === null ? {} : { failingSince: row.since.getTime() }) }));
    },
    async delivered(id, inbox) {
      await pool.query('DELETE FROM ap_deliveries WHERE id = $1', [id]);
      await pool.query('DELETE FROM ap_failing_inboxes WHERE inbox = $1', [inbox]);
    },
    async failed(id, retryAt, failingSince) {
      const job = await pool.query<{ inbox: string }>('UPDATE ap_deliveries SET available_at = $2 WHERE id = $1 RETURNING inbox', [id, at(retryAt)]);
      const inbox = job.rows[0]?.inbox;
      if (inbox !== undefined) await pool.query('INSERT INTO ap_failing_inboxes (inbox, since) VALUES ($1, $2) ON CONFLICT (inbox) DO UPDATE SET since = least(ap_failing_inboxes.since, EXCLUDED.since)', [inbox, at(failingSince)]);
    },
    dropInbox: (inbox) =>
      inTransaction(pool, async (client) => {
        await client.query('DELETE FROM ap_followers WHERE inbox = $1', [inbox]);
        await client.query('DELETE FROM ap_deliveries WHERE inbox = $1', [inbox]);
        await client.query('DELETE FROM ap_failing_inboxes WHERE inbox = $1', [inbox]);
      }),
    close: () => pool.end(),
  };
}
