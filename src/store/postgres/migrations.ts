import { withClient, type Client, type Pool } from './pool.js';
import { reslugArticles } from './reslug.js';
import { READERSHIP_TABLES } from './migration-8-readership.js';

/**
 * The schema, as numbered steps. Forward only: a released step is never
 * edited; a change is a new step. Each runs in its own transaction with its
 * version row, so a step is applied whole or not at all, and `migrate()`
 * run twice (or by two processes at once: an advisory lock serialises them)
 * applies each step once.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Work SQL cannot do, run after `sql` in the step's transaction. */
  readonly run?: (client: Client) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'articles, feed entries, change sequence, sync reports',
    sql: `
      -- One row per article. record: the validated record exactly as written; article: the normalised
      -- Article (body sanitised once, here, at write). The typed columns serve the indexes.
      -- Ids and slugs compare in "C" (byte) order: feeds break ties by id in JS string order, and the
      -- default collation would ignore '-' ("a-b" vs "ab").
      CREATE TABLE articles (
        id text COLLATE "C" PRIMARY KEY,
        url text NOT NULL,
        -- Kept apart from the JSONB so listing every article (GET /api/articles) does not decompress every body.
        headline text NOT NULL,
        published timestamptz NOT NULL,
        updated timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('published', 'draft')),
        language text NOT NULL,
        section text,
        source text NOT NULL,
        -- The article file (inside articles/) that sync last wrote this row from; NULL when written through the API.
        file text COLLATE "C",
        -- sha256 of the site language and the record's bytes: sync skips a file whose hash is unchanged.
        content_hash text NOT NULL,
        record jsonb NOT NULL,
        article jsonb NOT NULL
      );
      -- lz4 compresses the two large values about twice as fast as the default pglz: sync wrote 100,000
      -- articles in half the time. Where the server was built without lz4 (or before PostgreSQL 14), pglz stays.
      DO $$
      BEGIN
        EXECUTE 'ALTER TABLE articles ALTER COLUMN record SET COMPRESSION lz4, ALTER COLUMN article SET COMPRESSION lz4';
      EXCEPTION WHEN OTHERS THEN
        NULL;
      END
      $$;
      -- The main feed: newest first, ties by id; drafts are never in it.
      CREATE INDEX articles_feed ON articles (published DESC, id ASC) WHERE status = 'published';
      -- GET /api/articles and summaries(): every article, drafts included.
      CREATE INDEX articles_all ON articles (published DESC, id ASC);
      CREATE INDEX articles_file ON articles (file) WHERE file IS NOT NULL;

      -- One row per (feed, article) for the filtered feeds: each section, tag, language and author feed
      -- is one index range. Only status 'published' articles have rows.
      CREATE TABLE feed_entries (
        kind text NOT NULL CHECK (kind IN ('section', 'tag', 'language', 'author')),
        slug text COLLATE "C" NOT NULL,
        -- The article's spelling of the feed's name ("Korea", "korea"): the newest visible one is shown.
        name text NOT NULL,
        article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        published timestamptz NOT NULL,
        updated timestamptz NOT NULL,
        PRIMARY KEY (kind, slug, article_id)
      );
      CREATE INDEX feed_entries_feed ON feed_entries (kind, slug, published DESC, article_id ASC);
      CREATE INDEX feed_entries_article ON feed_entries (article_id);
      -- Embargo releases across every feed: (from, to] ranges on published.
      CREATE INDEX feed_entries_published ON feed_entries (published);

      -- The change sequence: one row, bumped by every write in the write's own transaction. Its row lock
      -- makes sequence numbers commit in order, so "everything after N" never skips a late commit.
      CREATE TABLE change_sequence (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        value bigint NOT NULL
      );
      INSERT INTO change_sequence (value) VALUES (1);

      -- The outbox: what each change touched, read by listeners catching up after NOTIFY or a reconnect.
      CREATE TABLE changes (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        feeds jsonb NOT NULL
      );

      -- What sync found wrong with each article file (rejected: no article; warning: served anyway), for
      -- /healthz. Keyed by file name: a run replaces the rows of the files it read and keeps those of
      -- files it skipped as unchanged, so their warnings are not forgotten.
      CREATE TABLE sync_reports (
        name text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        severity text NOT NULL CHECK (severity IN ('rejected', 'warning')),
        file text NOT NULL,
        field text,
        problem text NOT NULL,
        PRIMARY KEY (name, position)
      );
    `,
  },
  {
    version: 2,
    name: 'translation groups',
    sql: `
      -- The original an article names with translationOf: a group is the original and every article
      -- naming it, so the siblings of a page's articles are one index look-up (translation-queries.ts).
      ALTER TABLE articles ADD COLUMN translation_of text COLLATE "C";
      UPDATE articles SET translation_of = article->>'translationOf' WHERE article ? 'translationOf';
      CREATE INDEX articles_translation_of ON articles (translation_of) WHERE translation_of IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'deliveries outbox and the fleet release mark',
    sql: `
      -- What must be told outside (WebSub hub, CDN purge webhook) once for the whole fleet: one row per
      -- change (written in the change's transaction) or embargo release. A replica claims due rows with
      -- FOR UPDATE SKIP LOCKED and a lease (available_at moved ahead), so exactly one replica sends each,
      -- and a replica that dies mid-delivery leaves the row to another once the lease runs out.
      CREATE TABLE deliveries (
        id bigserial PRIMARY KEY,
        -- The change it announces; NULL for an embargo release.
        seq bigint,
        feeds jsonb NOT NULL,
        -- Targets already told ('websub', 'purge'): a retry resends only the others.
        done text[] NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        available_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deliveries_due ON deliveries (available_at, id);
      CREATE INDEX deliveries_seq ON deliveries (seq) WHERE seq IS NOT NULL;

      -- Embargo releases up to this instant are in deliveries: the replica whose timer fires first takes
      -- the row lock, records the releases since, and moves the mark, so the others find nothing to add.
      CREATE TABLE release_mark (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        released_up_to timestamptz NOT NULL
      );
      INSERT INTO release_mark (released_up_to) VALUES (now());
    `,
  },
  {
    // After version 3 (written alongside this one): steps apply in order.
    version: 4,
    name: 'article versions, audit trail, record ETags',
    sql: `
      -- The record's ETag (versions.ts recordEtag, computed from the record with the writer's key order,
      -- which jsonb forgets). NULL for rows written before this step: computed from the jsonb when read.
      ALTER TABLE articles ADD COLUMN etag text;

      -- Every version of every article, written in the transaction of the change that made it: a PUT's
      -- record, a DELETE's tombstone (record NULL). Numbers per article only grow, even after retention
      -- (HISTORY_KEEP) deletes the oldest. No foreign key: a deleted article keeps its history.
      CREATE TABLE article_versions (
        article_id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        at timestamptz NOT NULL,
        key_id text,
        action text NOT NULL CHECK (action IN ('existing', 'created', 'updated', 'deleted', 'restored')),
        size integer NOT NULL,
        summary text NOT NULL,
        etag text,
        -- The record text exactly as the files backend would write it (not jsonb: GET …/versions/n gives back these bytes).
        record text,
        PRIMARY KEY (article_id, version)
      );

      -- The audit trail: every write the API answered, refused ones included; never a secret.
      CREATE TABLE audit (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        key_id text,
        client text NOT NULL,
        method text NOT NULL,
        article_id text NOT NULL,
        status integer NOT NULL,
        outcome text NOT NULL,
        version integer
      );
      -- GET /api/audit?since=: one range scan.
      CREATE INDEX audit_at ON audit (at, seq);
    `,
  },
  {
    version: 5,
    name: 'audit count: one line stands for a minute of refusals from one client without a key',
    sql: `
      -- NULL on every line but the per-minute tallies of refused requests without a key (http/anonymous-refusals.ts).
      ALTER TABLE audit ADD COLUMN IF NOT EXISTS count integer CHECK (count IS NULL OR count >= 1);
    `,
  },
  {
    version: 6,
    name: 'records as written text',
    sql: `
      -- The record's JSON text exactly as written (a synced file's bytes, or the text the files backend
      -- writes for an API write), not jsonb: jsonb forgets key order and layout, so an existing version
      -- made from the row differed from the files backend's (which keeps the file's bytes). Nothing reads
      -- the record's fields in SQL (the article column serves every query). Rows from before this step
      -- keep jsonb's text; their etag column still holds the ETag of the record as written (NULL rows,
      -- from before migration 4, hash the text read back).
      ALTER TABLE articles ALTER COLUMN record TYPE text USING record::text;
    `,
  },
  {
    // Issue 24: slugs changed (C++ no longer shares C's; long names are cut and hashed). See reslug.ts.
    version: 7,
    name: 'slugs that tell C, C++ and C# apart',
    sql: '',
    run: reslugArticles,
  },
  READERSHIP_TABLES,
];

/** The schema version this build expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Any 64-bit number unique to wirefeed: two `migrate` runs at once wait for each other. */
const MIGRATION_LOCK = 7_301_220_412;

/** Applies every step not yet applied, in order; returns the versions applied (none when already current). */
export async function migrate(pool: Pool): Promise<number[]> {
  return withClient(pool, async (client, markBroken) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const current = await currentVersion(client);
      if (current > SCHEMA_VERSION) throw new SchemaError(newerMessage(current));
      const applied: number[] = [];
      for (const step of MIGRATIONS) {
        if (step.version <= current) continue;
        await client.query('BEGIN');
        try {
          if (step.sql.trim() !== '') await client.query(step.sql);
          await step.run?.(client);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(markBroken);
          throw error;
        }
        applied.push(step.version);
      }
      return applied;
    } finally {
      // On a dead connection the lock went with it; the step's own error is the one to report.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(markBroken);
    }
  });
}

/** The schema cannot be served: not migrated, migrated partly, or by a newer wirefeed. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

function newerMessage(version: number): string {
  return `The database schema is at version ${version}, newer than this wirefeed knows (${SCHEMA_VERSION}); run a newer wirefeed, or restore a database of version ${SCHEMA_VERSION}.`;
}

async function currentVersion(client: { query: Pool['query'] }): Promise<number> {
  const result = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}

/**
 * Refuses a database whose schema is not exactly this build's, with one
 * message saying what to do (as Rails and Ghost refuse to start on a
 * pending or unknown migration).
 */
export async function checkSchema(pool: Pool): Promise<void> {
  const exists = await pool.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  const current = exists.rows[0]?.present ? await currentVersion(pool) : 0;
  if (current === SCHEMA_VERSION) return;
  if (current > SCHEMA_VERSION) throw new SchemaError(newerMessage(current));
  throw new SchemaError(
    current === 0
      ? `The database has no wirefeed schema; run "npm run migrate" (with the same DATABASE_URL) first.`
      : `The database schema is at version ${current}, this wirefeed needs ${SCHEMA_VERSION}; run "npm run migrate" first.`,
  );
}
