import pg from 'pg';
import { feedPath, type ChangedFeed, type FilterKind } from '../../model/feed-filter.js';
import type { StoreChange, StoreListener } from '../store.js';
import type { Pool } from './pool.js';
import { CHANGES_CHANNEL } from './writes.js';

/** The data version and its change events, kept in step with the changes table. */
export interface ChangeFeed {
  /** The newest change sequence seen: the store's version. */
  version(): number;
  /** Reads and announces every change after the last one seen; resolves when done. Safe to call at any time, runs one at a time. */
  catchUp(): Promise<void>;
  subscribe(listener: StoreListener): () => void;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  readonly url: string;
  readonly pool: Pool;
  readonly log: (line: string) => void;
  /** Milliseconds before the first reconnect attempt (default 500; doubles up to 10 s). */
  readonly reconnectMs?: number;
  /** While the listening connection is down, how often changes are read through the pool instead (default 1000 ms). */
  readonly pollMs?: number;
}

/**
 * LISTENs on a dedicated connection (a pooled one would be handed to other
 * queries) and turns each NOTIFY into StoreChange events read from the
 * outbox (the changes table): the notification carries only a sequence
 * number, the row carries the feeds. A notification sent while the
 * connection was down is lost, so every (re)connect catches up from the
 * last sequence seen; nothing is missed, nothing announced twice.
 */
export async function startChangeFeed(options: ChangeFeedOptions): Promise<ChangeFeed> {
  const { pool, log } = options;
  const start = await pool.query<{ value: string }>('SELECT value FROM change_sequence');
  let version = Number(start.rows[0]?.value ?? 0);
  const listeners = new Set<StoreListener>();
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = options.reconnectMs ?? 500;
  let timer: NodeJS.Timeout | undefined;

  const announce = (change: StoreChange): void => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log(`a change listener failed: ${(error as Error).message}`);
      }
    }
  };

  const readChanges = async (): Promise<void> => {
    // Behind by more than the outbox keeps: the changes in between are gone, so everything may have changed.
    const bounds = await pool.query<{ oldest: string | null; latest: string }>('SELECT (SELECT min(seq) FROM changes) AS oldest, (SELECT value FROM change_sequence) AS latest');
    const oldest = bounds.rows[0]?.oldest;
    if (oldest != null && Number(oldest) > version + 1) {
      version = Number(oldest) - 1;
      announce({ version, feeds: await everyFeed(pool) });
    }
    for (;;) {
      // Plan: Index Scan using changes_pkey (seq > $1), at most 1000 rows per round.
      const result = await pool.query<{ seq: string; feeds: ChangedFeed[] }>('SELECT seq, feeds FROM changes WHERE seq > $1 ORDER BY seq LIMIT 1000', [version]);
      for (const row of result.rows) {
        version = Number(row.seq);
        // The outbox lists every feed the written articles are (or were) in: exactly what caches must drop.
        announce({ version, feeds: row.feeds, touched: row.feeds.map((feed) => feed.path) });
      }
      if (result.rows.length < 1000) return;
    }
  };

  const catchUp = (): Promise<void> => {
    running = running.then(readChanges, readChanges);
    return running;
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 5000, application_name: 'wirefeed-listen' });
    next.on('error', () => undefined);
    next.on('notification', () => void catchUp().catch((error: Error) => log(`catching up with changes failed: ${error.message}`)));
    next.on('end', () => {
      if (client === next) client = undefined;
      if (!closed) scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${CHANGES_CHANNEL}`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    retryMs = options.reconnectMs ?? 500;
  };

  const scheduleReconnect = (): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect()
        .then(catchUp)
        .catch((error: Error) => {
          log(`listening for changes failed (${error.message}); retrying in ${retryMs} ms`);
          // At most 10 s: a replica back within seconds of the database, not half a minute later.
          retryMs = Math.min(retryMs * 2, 10_000);
          scheduleReconnect();
        });
    }, retryMs);
    timer.unref();
  };

  await connect();
  // Changes committed between reading the sequence and LISTEN starting.
  await catchUp();
  // Without a listening connection (the database restarting, a proxy dropping it) other replicas' writes
  // would go unseen until it is back: read them through the pool meanwhile, so they still show within a second.
  const poll = setInterval(() => {
    if (client === undefined && !closed) void catchUp().catch(() => undefined);
  }, options.pollMs ?? 1000);
  poll.unref();

  return {
    version: () => version,
    catchUp,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      await running.catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
}

/** Every feed there is (the main feed first, then by path): what a listener that missed changes must assume changed. */
async function everyFeed(pool: Pool): Promise<ChangedFeed[]> {
  // Plan: Index Only Scan on feed_entries_feed, unique (kind, slug).
  const rows = await pool.query<{ kind: FilterKind; slug: string }>('SELECT DISTINCT kind, slug FROM feed_entries');
  const feeds: ChangedFeed[] = rows.rows.map((row) => ({ filter: { kind: row.kind, slug: row.slug }, path: feedPath({ kind: row.kind, slug: row.slug }) }));
  return [{ path: '' }, ...feeds.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))];
}
