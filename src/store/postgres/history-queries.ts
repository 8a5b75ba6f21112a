import type { ArticleVersion, ArticleVersionRecord, AuditEntry, VersionAction } from '../versions.js';
import type { Client, Pool } from './pool.js';

type Queryable = Pick<Pool, 'query'> | Client;

interface VersionRow {
  readonly version: number;
  readonly at: Date;
  readonly key_id: string | null;
  readonly action: VersionAction;
  readonly size: number;
  readonly summary: string;
  readonly etag: string | null;
  readonly record?: string | null;
}

const FACTS = 'version, at, key_id, action, size, summary, etag';

function versionOf(row: VersionRow): ArticleVersion {
  return { version: row.version, at: row.at, keyId: row.key_id, action: row.action, size: row.size, summary: row.summary, etag: row.etag };
}

/** Every kept version of `id`, oldest first. Plan: Index Scan using article_versions_pkey (article_id = $1). */
export async function readVersions(db: Queryable, id: string): Promise<ArticleVersion[]> {
  const result = await db.query<VersionRow>(`SELECT ${FACTS} FROM article_versions WHERE article_id = $1 ORDER BY version`, [id]);
  return result.rows.map(versionOf);
}

/** Version `n` of `id` with its record. Plan: Index Scan using article_versions_pkey. */
export async function readVersion(db: Queryable, id: string, n: number): Promise<ArticleVersionRecord | undefined> {
  const result = await db.query<VersionRow>(`SELECT ${FACTS}, record FROM article_versions WHERE article_id = $1 AND version = $2`, [id, n]);
  const row = result.rows[0];
  return row ? { ...versionOf(row), record: row.record ?? null } : undefined;
}

/** The newest kept version of `id`. Plan: Index Scan Backward using article_versions_pkey, LIMIT 1. */
export async function readLatestVersion(db: Queryable, id: string): Promise<ArticleVersionRecord | undefined> {
  const result = await db.query<VersionRow>(`SELECT ${FACTS}, record FROM article_versions WHERE article_id = $1 ORDER BY version DESC LIMIT 1`, [id]);
  const row = result.rows[0];
  return row ? { ...versionOf(row), record: row.record ?? null } : undefined;
}

/**
 * Inserts the next version of `id` (the caller holds the id's write lock,
 * so "newest + 1" is exact), then drops all but the newest `keep` and the
 * newest with a record.
 */
export async function insertVersion(client: Client, id: string, previous: number, facts: Omit<ArticleVersionRecord, 'version'>, keep: number | undefined): Promise<ArticleVersionRecord> {
  const version = previous + 1;
  await client.query(
    'INSERT INTO article_versions (article_id, version, at, key_id, action, size, summary, etag, record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [id, version, facts.at, facts.keyId, facts.action, facts.size, facts.summary, facts.etag, facts.record],
  );
  // HISTORY_KEEP never drops the newest version holding a record: after a DELETE with HISTORY_KEEP=1 it is
  // the only copy of the retracted story (the files backend keeps the same one, file-history.ts).
  // Plan: Index Scan using article_versions_pkey (article_id = $1) for both the subquery and the DELETE.
  if (keep !== undefined) {
    await client.query(
      `DELETE FROM article_versions WHERE article_id = $1 AND version <= $2
         AND version <> COALESCE((SELECT max(version) FROM article_versions WHERE article_id = $1 AND record IS NOT NULL), 0)`,
      [id, version - keep],
    );
  }
  return { ...facts, version };
}

export async function insertAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit (at, key_id, client, method, article_id, status, outcome, version, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    entry.at,
    entry.keyId,
    entry.client,
    entry.method,
    entry.id,
    entry.status,
    entry.outcome,
    entry.version ?? null,
    entry.count ?? null,
  ]);
}

/** Audit entries after `since`, oldest first. Plan: Index Scan using audit_at (at > $1), LIMIT. */
export async function readAuditSince(db: Queryable, since: Date, limit: number): Promise<AuditEntry[]> {
  const result = await db.query<{ at: Date; key_id: string | null; client: string; method: string; article_id: string; status: number; outcome: string; version: number | null; count: number | null }>(
    'SELECT at, key_id, client, method, article_id, status, outcome, version, count FROM audit WHERE at > $1 ORDER BY at, seq LIMIT $2',
    [since, limit],
  );
  return result.rows.map((row) => ({
    at: row.at,
    keyId: row.key_id,
    client: row.client,
    method: row.method,
    id: row.article_id,
    status: row.status,
    outcome: row.outcome,
    ...(row.version === null ? {} : { version: row.version }),
    ...(row.count === null ? {} : { count: row.count }),
  }));
}
