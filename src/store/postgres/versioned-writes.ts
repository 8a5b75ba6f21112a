import { canonicalRecord } from '../../load/canonical-record.js';
import { displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Site } from '../../model/types.js';
import type { PutResult, Store } from '../store.js';
import { StoreConflictError } from '../errors.js';
import { checkPreconditions, describeChange, recordEtag, recordText, type AuditEntry, type VersionAction, type WriteOptions } from '../versions.js';
import { insertAudit, insertVersion, readAuditSince, readLatestVersion, readVersion, readVersions } from './history-queries.js';
import { inTransaction, type Client, type Pool } from './pool.js';
import { articleRow, contentHash } from './rows.js';
import { deleteArticles, lockArticles, recordChange, replaceReports, upsertArticles } from './writes.js';
import { validateRecord } from './validate-record.js';

export interface VersionedWritesOptions {
  readonly pool: Pool;
  readonly site: Site;
  readonly dataDir: string;
  /** Runs database work, turning connection failures into StoreUnavailableError. */
  readonly db: <T>(work: (pool: Pool) => Promise<T>) => Promise<T>;
  /** Moves the store's version after a commit. */
  readonly settle: () => Promise<void>;
  /** HISTORY_KEEP; undefined keeps every version. */
  readonly keep?: number;
  readonly clock: () => Date;
}

interface StoredRow {
  /** The record's text as written (migration 6; before it, jsonb's text). */
  readonly record: string;
  readonly etag: string | null;
  readonly source: string;
  readonly file: string | null;
  readonly content_hash: string;
}

/** Per-id write lock for the transaction: also serialises two creations of an id no row holds yet (If-None-Match: *). */
async function lockId(client: Client, id: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended('wirefeed-article:' || $1, 0))", [id]);
}

async function readStored(client: Pick<Pool, 'query'>, id: string): Promise<StoredRow | undefined> {
  return (await client.query<StoredRow>('SELECT record, etag, source, file, content_hash FROM articles WHERE id = $1', [id])).rows[0];
}

/** The name inside articles/ of a source (`data/articles/x.json`): what sync_reports are kept under. */
const fileOf = (source: string): string => source.slice(source.lastIndexOf('/') + 1);

const etagOf = (row: StoredRow | undefined): string | undefined => (row ? (row.etag ?? recordEtag(canonicalRecord(JSON.parse(row.record)))) : undefined);

/**
 * PostgreSQL's put, remove and restore: each one transaction holding the
 * id's lock, which checks the preconditions and the key's scope, keeps the
 * version (a write over a state history has not seen, from before
 * history or from a sync, first keeps that state), changes the article,
 * records the change and writes the
 * audit entry, so a version is never kept for a change that did not commit,
 * nor a change committed without its version.
 */
export function createVersionedWrites(options: VersionedWritesOptions): Pick<Store, 'put' | 'remove' | 'restore' | 'etag' | 'history'> {
  const { pool, site, dataDir, db, settle, keep, clock } = options;

  /** The version before this write, keeping what is stored first when history has not seen it. */
  const previousVersion = async (client: Client, id: string, stored: StoredRow | undefined) => {
    const latest = await readLatestVersion(client, id);
    // Also when sync changed the row since the newest kept version: that state is a version too.
    if (!stored || latest?.etag === etagOf(stored)) return latest;
    // The text as stored (a synced file's bytes), as the files backend keeps the file it finds.
    const text = stored.record;
    return insertVersion(client, id, latest?.version ?? 0, { at: clock(), keyId: null, action: 'existing', size: Buffer.byteLength(text), summary: describeChange('existing', null, text), etag: etagOf(stored) ?? null, record: text }, keep);
  };

  const audit = (client: Client, id: string, method: string, status: number, outcome: string, version: number, writeOptions: WriteOptions): Promise<void> =>
    insertAudit(client, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, client: writeOptions.actor?.client ?? 'local', method, id, status, outcome, version });

  const write = async (id: string, body: Uint8Array, writeOptions: WriteOptions, restoredFrom?: number): Promise<PutResult> => {
    // An article keeps the name it is known by (the file sync loaded it from), as the files backend
    // rewrites the file an id already lives in: messages and `source` read the same on both backends.
    // Plan: Index Scan using articles_pkey; the source column only (the record is read under the lock below).
    const known = (await db((p) => p.query<{ source: string }>('SELECT source FROM articles WHERE id = $1', [id]))).rows[0];
    const result = validateRecord(id, body, known?.source ?? displayName(dataDir, ARTICLES_DIR, `${id}.json`), site);
    const text = recordText(result.record);
    const etag = recordEtag(result.record);
    const stored = await db(() =>
      inTransaction(pool, async (client) => {
        await lockId(client, id);
        const old = (await lockArticles(client, [id])).get(id);
        const now = await readStored(client, id);
        checkPreconditions(id, writeOptions, etagOf(now));
        writeOptions.authorize?.(result.article, old);
        // A new id is named <id>.json; when sync loaded another article from that file, the files backend
        // cannot write it (409), and here two articles would claim one file: the next export would lose one.
        if (old === undefined) await refuseTakenFile(client, id);
        // A synced article keeps its file and that file's hash: the next sync leaves this edit alone until
        // the file itself changes (then the newer file wins), and --prune removes it with its file.
        const hash = now?.file ? now.content_hash : contentHash(site.language, body);
        const previous = await previousVersion(client, id, now);
        const action: VersionAction = restoredFrom !== undefined ? 'restored' : old ? 'updated' : 'created';
        const kept = await insertVersion(client, id, previous?.version ?? 0, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action, size: Buffer.byteLength(text), summary: describeChange(action, previous?.record, text, restoredFrom), etag, record: text }, keep);
        const inserted = await upsertArticles(client, [articleRow(result.article, result.record, text, hash, now?.file ?? null)], [result.article]);
        await recordChange(client, old === undefined ? [result.article] : [old, result.article], [result.article], clock());
        // The file the files backend would have written now draws these warnings (and no rejection any more).
        const name = fileOf(result.article.source);
        await replaceReports(client, [name], result.warnings.map((error) => ({ name, severity: 'warning' as const, error })));
        const created = inserted.has(id);
        await audit(client, id, restoredFrom === undefined ? 'PUT' : 'POST', created ? 201 : 200, action, kept.version, writeOptions);
        return { created, version: kept.version };
      }),
    );
    await settle();
    return { article: result.article, created: stored.created, warnings: result.warnings, etag, version: stored.version };
  };

  return {
    put: (id, body, writeOptions = {}) => write(id, body, writeOptions),
    async remove(id, writeOptions = {}) {
      const removed = await db(() =>
        inTransaction(pool, async (client) => {
          await lockId(client, id);
          const old = (await lockArticles(client, [id])).get(id);
          const now = await readStored(client, id);
          checkPreconditions(id, { ...writeOptions, createOnly: false }, etagOf(now));
          if (old === undefined) return false;
          writeOptions.authorize?.(undefined, old);
          const previous = await previousVersion(client, id, now);
          const kept = await insertVersion(client, id, previous?.version ?? 0, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action: 'deleted', size: 0, summary: describeChange('deleted', null, null), etag: null, record: null }, keep);
          await deleteArticles(client, [id]);
          await recordChange(client, [old], [], clock());
          await replaceReports(client, [fileOf(old.source)], []);
          await audit(client, id, 'DELETE', 204, 'deleted', kept.version, writeOptions);
          return true;
        }),
      );
      if (removed) await settle();
      return removed;
    },
    async restore(id, n, writeOptions = {}) {
      const version = await db((p) => readVersion(p, id, n));
      if (!version || version.record === null) return undefined;
      return write(id, Buffer.from(version.record, 'utf8'), writeOptions, n);
    },
    etag: async (id) => etagOf(await db((p) => readStored(p, id))),
    history: {
      versions: (id) => db((p) => readVersions(p, id)),
      version: (id, n) => db((p) => readVersion(p, id, n)),
      audit: (entry: AuditEntry) => db((p) => insertAudit(p, entry)),
      auditSince: (since, limit) => db((p) => readAuditSince(p, since, limit)),
    },
  };
}

/** StoreConflictError when the file a new article `id` would be named after, `<id>.json`, holds another article. */
async function refuseTakenFile(client: Client, id: string): Promise<void> {
  // Plan: Index Scan using articles_file (file = $1).
  const holder = (await client.query<{ id: string; source: string }>('SELECT id, source FROM articles WHERE file = $1 AND id <> $2', [`${id}.json`, id])).rows[0];
  if (holder) throw new StoreConflictError(`The file ${holder.source} holds article ${JSON.stringify(holder.id)}; it cannot also hold ${JSON.stringify(id)}.`);
}
