import type { Migration } from './migrations.js';

/**
 * Issue 27: readership counts (src/stats/postgres-stats.ts writes them).
 * Replicas add their counts up: each flush adds to the row of its day and
 * feed, so one table row is the fleet's. No column holds an address or a
 * hash of one: `clients` is a HyperLogLog sketch's registers.
 */
export const READERSHIP_TABLES: Migration = {
  version: 8,
  name: 'readership counts per feed and day',
  sql: `
    CREATE TABLE readership_feed_days (
      day date NOT NULL,
      feed text COLLATE "C" NOT NULL,
      requests bigint NOT NULL DEFAULT 0,
      ok bigint NOT NULL DEFAULT 0,
      not_modified bigint NOT NULL DEFAULT 0,
      bytes bigint NOT NULL DEFAULT 0,
      -- Requests by kind of reader (src/stats/user-agents.ts READER_KINDS).
      hosted bigint NOT NULL DEFAULT 0,
      app bigint NOT NULL DEFAULT 0,
      browser bigint NOT NULL DEFAULT 0,
      crawler bigint NOT NULL DEFAULT 0,
      unknown bigint NOT NULL DEFAULT 0,
      -- 4,096 HyperLogLog registers of the day's individual reader apps (src/stats/sketch.ts); NULL: none.
      clients bytea,
      PRIMARY KEY (day, feed)
    );
    -- The last count each hosted reader reported for a feed on a day; of two replicas' reports the later wins.
    CREATE TABLE readership_fetchers (
      day date NOT NULL,
      feed text COLLATE "C" NOT NULL,
      fetcher text NOT NULL,
      feed_id text NOT NULL DEFAULT '',
      subscribers integer NOT NULL,
      reported_at timestamptz NOT NULL,
      PRIMARY KEY (day, feed, fetcher, feed_id)
    );
    CREATE TABLE readership_partners (
      day date NOT NULL,
      partner text COLLATE "C" NOT NULL,
      requests bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (day, partner)
    );
  `,
};
