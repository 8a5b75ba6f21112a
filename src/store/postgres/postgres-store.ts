import { readTranslations } from './translation-queries.js';
import { ID_PATTERN, parseArticle } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import { decodeJson, displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import type { Site } from '../../model/types.js';
import { StoreConflictError, StoreRecordError } from '../errors.js';
import type { PutResult, Store } from '../store.js';
import { startChangeFeed, type ChangeFeed } from './change-feed.js';
import { checkSchema } from './migrations.js';
import { createPool, describeTarget, guarded, inTransaction, type Client, type Pool } from './pool.js';
import { readArticle, readDirectory, readFeedPage, readHealthCounts, readNextRelease, readReleasedFeeds, readSummaries } from './read-queries.js';
import { articleRow, contentHash, unstorableProblems } from './rows.js';
import { deleteArticles, lockArticles, recordChange, upsertArticles } from './writes.js';

export interface PostgresStoreOptions {
  /** DATABASE_URL. */
  readonly url: string;
  /** DATABASE_POOL_SIZE (default 10). */
  readonly poolSize?: number;
  /** site.json from DATA_DIR, SITE_URL applied: PostgreSQL holds the articles, not the site. */
  readonly site: Site;
  /** DATA_DIR: records written through the API are named `data/articles/<id>.json` in messages, as the files backend names them. */
  readonly dataDir: string;
  readonly log?: (line: string) => void;
  readonly connectTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** Milliseconds before the change listener's first reconnect attempt (default 500). */
  readonly reconnectMs?: number;
}

/** The database cannot be used at start: unreachable, or its schema is not this build's. main.ts prints the message and exits 1. */
export class DatabaseStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartError';
  }
}

/**
 * The PostgreSQL backend: the same Store as the files backend, answering
 * each read with one indexed statement. Fails at start, with one message
 * naming the host (never the password), when the database cannot be
 * reached or its schema is not the one this build migrates to.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { url, site, dataDir } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const target = describeTarget(url);
  const pool = createPool({ url, size: options.poolSize ?? 10, ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }), ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }) });
  let changes: ChangeFeed;
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseStartError(`Cannot connect to the database at ${target}: ${(error as Error).message.replace(url, '(DATABASE_URL)')}`);
  }
  try {
    await checkSchema(pool);
    changes = await startChangeFeed({ url, pool, log, ...(options.reconnectMs === undefined ? {} : { reconnectMs: options.reconnectMs }) });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseStartError(`The database at ${target} cannot be used: ${(error as Error).message}`);
  }
  const db = <T>(work: (pool: Pool) => Promise<T>): Promise<T> => guarded(url, () => work(pool));
  /**
   * After a committed write: the version moves before the caller answers, so a read right after the
   * write sees it. A failure here must not fail the write (it is committed); the change is picked up
   * on the next NOTIFY or reconnect.
   */
  const settle = (): Promise<void> => changes.catchUp().catch((error: Error) => log(`reading the change just written failed (it will be read on the next change): ${error.message}`));

  return {
    backend: 'postgres',
    site: () => site,
    version: () => changes.version(),
    feedPage: (filter, query, now) => db((p) => readFeedPage(p, filter, query, now)),
    translations: (articles, now) => db((p) => readTranslations(p, articles, now)),
    article: (id) => db((p) => readArticle(p, id)),
    summaries: () => db(readSummaries),
    directory: (now) => db((p) => readDirectory(p, now)),
    async health(now) {
      try {
        const counts = await readHealthCounts(pool, now);
        return { backend: 'postgres', up: true, ...counts };
      } catch {
        // /healthz reports a database it cannot reach; it does not fail.
        return { backend: 'postgres', up: false, articles: 0, visible: 0, rejected: [], warnings: [] };
      }
    },
    nextRelease: (now) => db((p) => readNextRelease(p, now)),
    releasedFeeds: (from, to) => db((p) => readReleasedFeeds(p, from, to)),
    subscribe: (listener) => changes.subscribe(listener),
    async put(id, body) {
      // An article keeps the name it is known by (the file sync loaded it from), as the files backend
      // rewrites the file an id already lives in: messages and `source` read the same on both backends.
      const known = (await db((p) => p.query<{ source: string; file: string | null; content_hash: string }>('SELECT source, file, content_hash FROM articles WHERE id = $1', [id]))).rows[0];
      const shownAs = known?.source ?? displayName(dataDir, ARTICLES_DIR, `${id}.json`);
      const result = validateRecord(id, body, shownAs, site);
      // A synced article keeps its file and that file's hash: the next sync leaves this edit alone until
      // the file itself changes (then the newer file wins), and --prune removes it with its file.
      const hash = known?.file ? known.content_hash : contentHash(site.language, body);
      const stored = await db(() =>
        inTransaction(pool, async (client) => {
          const old = (await lockArticles(client, [id])).get(id);
          // A new id is named <id>.json; when sync loaded another article from that file, the files backend
          // cannot write it (409), and here two articles would claim one file: the next export would lose one.
          if (known === undefined) await refuseTakenFile(client, id);
          const inserted = await upsertArticles(client, [articleRow(result.article, result.record, hash, known?.file ?? null)], [result.article]);
          await recordChange(client, old === undefined ? [result.article] : [old, result.article]);
          return { created: inserted.has(id) };
        }),
      );
      await settle();
      return { article: result.article, created: stored.created, warnings: result.warnings };
    },
    async remove(id) {
      const removed = await db(() =>
        inTransaction(pool, async (client) => {
          const old = (await lockArticles(client, [id])).get(id);
          if (old === undefined) return false;
          await deleteArticles(client, [id]);
          await recordChange(client, [old]);
          return true;
        }),
      );
      if (removed) await settle();
      return removed;
    },
    async close() {
      await changes.close();
      await pool.end();
    },
  };
}

/** StoreConflictError when the file a new article `id` would be named after, `<id>.json`, holds another article. */
async function refuseTakenFile(client: Client, id: string): Promise<void> {
  // Plan: Index Scan using articles_file (file = $1).
  const holder = (await client.query<{ id: string; source: string }>('SELECT id, source FROM articles WHERE file = $1 AND id <> $2', [`${id}.json`, id])).rows[0];
  if (holder) throw new StoreConflictError(`The file ${holder.source} holds article ${JSON.stringify(holder.id)}; it cannot also hold ${JSON.stringify(id)}.`);
}

/**
 * The files backend's validation, message for message: the bytes decoded
 * as the loader decodes a file, the path's id checked against the body's,
 * the record parsed (body sanitised now, once), and what PostgreSQL could
 * not store refused before any SQL runs.
 */
export function validateRecord(id: string, body: Uint8Array, shownAs: string, site: Site): PutResult & { readonly record: unknown } {
  if (!ID_PATTERN.test(id) || id.length > 200) {
    throw new StoreRecordError(`An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`, [new ArticleError(shownAs, 'id', 'must be lowercase letters, digits and single "-" between them')]);
  }
  const decoded = decodeJson(body, shownAs);
  if (!decoded.ok) throw new StoreRecordError('The body is not a JSON record.', [decoded.error]);
  const record = decoded.value;
  if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
    const bodyId = (record as Record<string, unknown>).id;
    if (bodyId !== undefined && bodyId !== id) {
      throw new StoreRecordError(`The id in the path (${JSON.stringify(id)}) and in the body (${JSON.stringify(bodyId)}) disagree.`, []);
    }
  }
  const parsed = parseArticle(record, shownAs, { language: site.language });
  const problems = parsed.article === undefined ? parsed.errors : unstorableProblems(record, parsed.article, shownAs);
  if (parsed.article === undefined || problems.length > 0) throw new StoreRecordError(`The record has ${problems.length} problem(s); nothing was written.`, problems);
  return { article: parsed.article, created: false, warnings: parsed.warnings, record };
}
