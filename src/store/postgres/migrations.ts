import { withClient, type Client, type Pool } from './pool.js';
export type { Migration } from './migration-steps.js';
import { articleVersions, articlesAndFeedEntries, auditCount, deliveriesOutbox, recordsAsText, slugsThatTellCApart, translationGroups, type Migration } from './migration-steps.js';
import { ACTIVITYPUB_MIGRATION } from './activitypub-migration.js';
import { READERSHIP_TABLES } from './migration-8-readership.js';
import { ITEM_FRAGMENTS } from './migration-10-fragments.js';

/**
 * The schema, as numbered steps (defined in migration-steps.ts; a new step
 * is one line appended here). Each runs in its own transaction with its
 * version row, so a step is applied whole or not at all, and `migrate()`
 * run twice (or by two processes at once: an advisory lock serialises them)
 * applies each step once.
 */
export const MIGRATIONS: readonly Migration[] = [
  articlesAndFeedEntries,
  translationGroups,
  deliveriesOutbox,
  articleVersions,
  auditCount,
  recordsAsText,
  slugsThatTellCApart,
  READERSHIP_TABLES,
  ACTIVITYPUB_MIGRATION,
  ITEM_FRAGMENTS,
];

/** The schema version this build expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Any 64-bit number unique to wirefeed: two `migrate` runs at once wait for each other. */
const MIGRATION_LOCK = 7_301_220_412;

/**
 * Applies every step not yet applied, in order; returns the versions applied
 * (none when already current). `steps` is MIGRATIONS but in tests.
 */
export async function migrate(pool: Pool, steps: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = steps.at(-1)?.version ?? 0;
  return withClient(pool, async (client, markBroken) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const current = await currentVersion(client);
      if (current > latest) throw new SchemaError(newerMessage(current, latest));
      // Each step not yet recorded, by its own version rather than "above the highest": a step numbered
      // below one already applied (two branches released together, their steps 8 and 9) is not skipped.
      const done = await appliedVersions(client);
      const applied: number[] = [];
      for (const step of steps) {
        if (done.has(step.version)) continue;
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

function newerMessage(version: number, known = SCHEMA_VERSION): string {
  return `The database schema is at version ${version}, newer than this wirefeed knows (${known}); run a newer wirefeed, or restore a database of version ${known}.`;
}

async function appliedVersions(client: { query: Pool['query'] }): Promise<Set<number>> {
  const result = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(result.rows.map((row) => row.version));
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
  const done = current === 0 ? new Set<number>() : await appliedVersions(pool);
  const missing = MIGRATIONS.filter((step) => !done.has(step.version)).map((step) => step.version);
  if (current === SCHEMA_VERSION && missing.length === 0) return;
  if (current === SCHEMA_VERSION) throw new SchemaError(`The database schema lacks step ${missing.join(', ')}; run "npm run migrate" first.`);
  if (current > SCHEMA_VERSION) throw new SchemaError(newerMessage(current));
  throw new SchemaError(
    current === 0
      ? `The database has no wirefeed schema; run "npm run migrate" (with the same DATABASE_URL) first.`
      : `The database schema is at version ${current}, this wirefeed needs ${SCHEMA_VERSION}; run "npm run migrate" first.`,
  );
}
