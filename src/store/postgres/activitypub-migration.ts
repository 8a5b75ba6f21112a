import type { Migration } from './migrations.js';

/**
 * Migration 9 (issue 31): ActivityPub's state on PostgreSQL, one table per
 * fact: each actor's key pair, its followers, the ledger of what was
 * announced from which actors, the delivery queue, and inboxes failing.
 */
export const ACTIVITYPUB_MIGRATION: Migration = {
  version: 9,
  name: 'ActivityPub: keys, followers, announced stories, deliveries',
  sql: `
    -- Private keys: readable by whoever can read the database, as the articles are; never logged.
    CREATE TABLE IF NOT EXISTS ap_keys (
      actor text COLLATE "C" PRIMARY KEY,
      public_key jsonb NOT NULL,
      private_key jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS ap_followers (
      actor text COLLATE "C" NOT NULL,
      follower text NOT NULL,
      inbox text NOT NULL,
      followed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (actor, follower)
    );
    CREATE INDEX IF NOT EXISTS ap_followers_inbox ON ap_followers (inbox);
    -- One row once the first comparison ran (stories there before ActivityPub was on are not announced).
    CREATE TABLE IF NOT EXISTS ap_ledger_started (started boolean PRIMARY KEY CHECK (started));
    CREATE TABLE IF NOT EXISTS ap_ledger (
      article_id text COLLATE "C" PRIMARY KEY,
      fingerprint text NOT NULL,
      actors text[] NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ap_deliveries (
      id bigserial PRIMARY KEY,
      actor text NOT NULL,
      inbox text NOT NULL,
      verb text NOT NULL CHECK (verb IN ('Create', 'Update', 'Delete')),
      article_id text NOT NULL,
      stamp text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT '-infinity'
    );
    CREATE INDEX IF NOT EXISTS ap_deliveries_due ON ap_deliveries (available_at, id);
    CREATE INDEX IF NOT EXISTS ap_deliveries_inbox ON ap_deliveries (inbox);
    CREATE TABLE IF NOT EXISTS ap_failing_inboxes (
      inbox text PRIMARY KEY,
      since timestamptz NOT NULL
    );
  `,
};
