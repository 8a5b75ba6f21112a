import { readTranslations, readArticle, readDirectory, readFeedPage, readHealthCounts, readNextRelease, readReleasedFeeds, readSummaries, type PageNotes } from './read-queries.js';
import type { Store } from '../store.js';
import { startChangeFeed, type ChangeFeed } from './change-feed.js';
import { createOutbox } from './deliveries.js';
import { createFragmentStore } from './item-fragments.js';
import type { Site } from '../../model/types.js';
import { checkSchema } from './migrations.js';
import { createPool, DatabaseOutage, describeTarget, guarded, type Pool } from './pool.js';
import { createVersionedWrites } from './versioned-writes.js';

/** Validation moved to its own module; re-exported for the callers that import it from here. */
export { validateRecord } from './validate-record.js';

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
  /** HISTORY_KEEP: versions kept per article (default all). */
  readonly historyKeep?: number;
  /** The time written into versions and the audit trail. */
  readonly clock?: () => Date;
  /** While the change listener is disconnected, how often changes are polled through the pool (default 1000 ms). */
  readonly changePollMs?: number;
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
    changes = await startChangeFeed({ url, pool, log, ...(options.reconnectMs === undefined ? {} : { reconnectMs: options.reconnectMs }), ...(options.changePollMs === undefined ? {} : { pollMs: options.changePollMs }) });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseStartError(`The database at ${target} cannot be used: ${(error as Error).message}`);
  }
  const outage = new DatabaseOutage(target, log);
  const db = <T>(work: (pool: Pool) => Promise<T>): Promise<T> => outage.watch(() => guarded(url, () => work(pool)));
  /**
   * After a committed write: the version moves before the caller answers, so a read right after the
   * write sees it. A failure here must not fail the write (it is committed); the change is picked up
   * on the next NOTIFY or reconnect.
   */
  // The version of each article feedPage returned (what its stored fragments must have been rendered from),
  // its stored item when the caller asked for one with the page, and whether a translation named it then.
  const notes: PageNotes = { etags: new WeakMap(), items: new WeakMap(), named: new WeakMap() };
  const settle = (): Promise<void> => changes.catchUp().catch((error: Error) => log(`reading the change just written failed (it will be read on the next change): ${error.message}`));

  return {
    backend: 'postgres',
    site: () => site,
    version: () => changes.version(),
    feedPage: (filter, query, now, items) => db((p) => readFeedPage(p, filter, query, now, notes, items)),
    translations: (articles, now) => db((p) => readTranslations(p, articles, now, notes.named)),
    article: (id) => db((p) => readArticle(p, id)),
    summaries: () => db(readSummaries),
    directory: (now) => db((p) => readDirectory(p, now)),
    async health(now) {
      try {
        const counts = await db((p) => readHealthCounts(p, now));
        return { backend: 'postgres', up: true, ...counts };
      } catch {
        // /healthz reports a database it cannot reach; it does not fail.
        return { backend: 'postgres', up: false, articles: 0, visible: 0, rejected: [], warnings: [] };
      }
    },
    nextRelease: (now) => db((p) => readNextRelease(p, now)),
    releasedFeeds: (from, to) => db((p) => readReleasedFeeds(p, from, to)),
    outbox: createOutbox(url, pool),
    fragments: createFragmentStore(pool, notes, log),
    subscribe: (listener) => changes.subscribe(listener),
    ...createVersionedWrites({ pool, site, dataDir, db, settle, clock: options.clock ?? (() => new Date()), ...(options.historyKeep === undefined ? {} : { keep: options.historyKeep }) }),
    async close() {
      await changes.close();
      await pool.end();
    },
  };
}
