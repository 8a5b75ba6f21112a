import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, checkSchema, migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { StoreRecordError } from '../../src/store/errors.js';
import type { Store, StoreChange } from '../../src/store/store.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { createScratchDatabase, probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { slugify } from '../../src/model/slug.js';

const available = await probePostgres();
const bytes = (record: unknown) => Buffer.from(JSON.stringify(record));
const NOW = new Date('2026-06-01T00:00:00Z');

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!available)('PostgreSQL schema migrations', () => {
  const database = useScratchDatabase();

  it('refuses an unmigrated database with one message, migrates, is idempotent, and refuses a newer schema', async () => {
    const pool = createPool({ url: database.url() });
    try {
      await expect(checkSchema(pool)).rejects.toThrow('The database has no wirefeed schema; run "npm run migrate" (with the same DATABASE_URL) first.');
      await expect(createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' })).rejects.toThrow(/no wirefeed schema/);
      expect(await migrate(pool)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(pool)).toEqual([]);
      await checkSchema(pool);
      const tables = await pool.query(`SELECT count(*)::int AS n FROM schema_migrations`);
      expect(tables.rows[0].n).toBe(MIGRATIONS.length);
      await pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [SCHEMA_VERSION + 1, 'from the future']);
      await expect(checkSchema(pool)).rejects.toThrow(`The database schema is at version ${SCHEMA_VERSION + 1}, newer than this wirefeed knows (${SCHEMA_VERSION})`);
      await expect(migrate(pool)).rejects.toThrow(/newer than this wirefeed knows/);
    } finally {
      await pool.end();
    }
  });

  // Steps 8 (readership) and 9 (ActivityPub) were written on two branches at once: a database that got 9
  // first must still get 8, and must not be served until it has. "Above the highest applied" skipped it.
  it('applies a step numbered below one already applied, and refuses to serve until it has', async () => {
    const pool = createPool({ url: database.url() });
    try {
      await pool.query('DELETE FROM schema_migrations WHERE version > $1', [SCHEMA_VERSION]);
      const [skipped, after] = MIGRATIONS.slice(-2);
      expect(after!.version).toBe(SCHEMA_VERSION);
      // As if the step before the last had never run: its version row gone (its DDL is idempotent to re-run or not; here its tables stay).
      await pool.query('DELETE FROM schema_migrations WHERE version = $1', [skipped!.version]);
      await expect(checkSchema(pool)).rejects.toThrow(`The database schema lacks step ${skipped!.version}; run "npm run migrate" first.`);
      const replay: typeof MIGRATIONS = MIGRATIONS.map((step) => (step === skipped ? { ...step, sql: 'SELECT 1' } : step));
      expect(await migrate(pool, replay)).toEqual([skipped!.version]);
      await checkSchema(pool);
    } finally {
      await pool.end();
    }
  });
});

describe.skipIf(!available)('PostgreSQL store writes', () => {
  const database = useScratchDatabase();
  let store: Store;
  let other: Store;

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
    // A second replica on the same database: it learns of changes through NOTIFY and the outbox.
    other = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data' });
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
  });

  it('creates, replaces and removes articles, each write a new version announced to every replica', async () => {
    const seen: StoreChange[] = [];
    const stop = other.subscribe((change) => seen.push(change));
    const start = store.version();
    const created = await store.put('first-story', bytes(makeRecord({ id: 'first-story', tags: ['Elections'], unknownField: 1 })));
    expect(created.created).toBe(true);
    expect(created.warnings.map((w) => w.message)).toEqual([expect.stringContaining('data/articles/first-story.json')]);
    expect(created.article.source).toBe('data/articles/first-story.json');
    expect(store.version()).toBe(start + 1);
    const replaced = await store.put('first-story', bytes(makeRecord({ id: 'first-story', tags: ['Budget'], headline: 'Changed' })));
    expect(replaced.created).toBe(false);
    expect((await store.article('first-story'))?.headline).toBe('Changed');
    expect(await store.feedPage({ kind: 'tag', slug: 'elections' }, { limit: 5 }, NOW)).toBeUndefined();
    expect((await store.feedPage({ kind: 'tag', slug: 'budget' }, { limit: 5 }, NOW))?.articles.map((a) => a.id)).toEqual(['first-story']);
    expect(await store.remove('first-story')).toBe(true);
    expect(await store.remove('first-story')).toBe(false);
    expect(await store.article('first-story')).toBeUndefined();
    expect(store.version()).toBe(start + 3);
    await until(() => seen.length === 3);
    stop();
    expect(seen.map((c) => c.version)).toEqual([start + 1, start + 2, start + 3]);
    expect(other.version()).toBe(start + 3);
    // The old and the new version's feeds: the tag it left and the one it joined.
    expect(seen[1]?.feeds.map((f) => f.path)).toEqual(['', '/authors/reporter-one', '/authors/translator-two', '/authors/writer-three', '/languages/en', '/sections/korea', '/tags/budget', '/tags/elections']);
  });

  it('catches up after its LISTEN connection drops: changes made meanwhile are announced, in order, once', async () => {
    const seen: number[] = [];
    const stop = other.subscribe((change) => seen.push(change.version));
    const admin = new pg.Client({ connectionString: database.url() });
    await admin.connect();
    try {
      // Every listening connection of this database goes, as in a failover; NOTIFYs sent meanwhile are lost.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'wirefeed-listen'`);
      const first = store.version();
      await store.put('while-away-1', bytes(makeRecord({ id: 'while-away-1' })));
      await store.put('while-away-2', bytes(makeRecord({ id: 'while-away-2' })));
      await until(() => seen.length >= 2, 10_000);
      expect(seen).toEqual([first + 1, first + 2]);
      expect(other.version()).toBe(store.version());
      // Listening again: a later write arrives by NOTIFY.
      await store.remove('while-away-1');
      await until(() => seen.length === 3);
      expect(seen).toEqual([first + 1, first + 2, first + 3]);
    } finally {
      stop();
      await admin.end();
    }
  });

  it('while its listening connection is away (reconnecting in 8 s), a replica still sees changes within about a second by polling', async () => {
    const slow = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', reconnectMs: 8000, log: () => undefined });
    const admin = new pg.Client({ connectionString: database.url() });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'wirefeed-listen'`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await store.put('polled-story', bytes(makeRecord({ id: 'polled-story' })));
      const written = Date.now();
      await until(() => slow.version() === store.version(), 5000);
      expect(Date.now() - written).toBeLessThan(1600);
    } finally {
      await admin.end();
      await slow.close();
      await store.remove('polled-story');
    }
  });

  it('tells a replica that missed more changes than the outbox keeps that every feed changed', async () => {
    await store.put('kept-story', bytes(makeRecord({ id: 'kept-story', tags: ['Kept tag'] })));
    // Reconnects only after 3 s and does not poll meanwhile, so the trimming below surely happens while it is away.
    const lagging = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', reconnectMs: 3000, changePollMs: 60_000 });
    const seen: StoreChange[] = [];
    const stop = lagging.subscribe((change) => seen.push(change));
    const admin = new pg.Client({ connectionString: database.url() });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'wirefeed-listen'`);
      const first = store.version() + 1;
      await store.put('missed-1', bytes(makeRecord({ id: 'missed-1', tags: ['Missed'] })));
      await store.put('missed-2', bytes(makeRecord({ id: 'missed-2', tags: ['Missed'] })));
      // As if the outbox had been trimmed past `first` while the replica was away.
      await admin.query('DELETE FROM changes WHERE seq <= $1', [first]);
      await until(() => seen.length >= 2, 10_000);
      expect(seen.map((c) => c.version)).toEqual([first, first + 1]);
      // Not just the missed article's feeds: every feed, the untouched tag included.
      expect(seen[0]?.feeds.map((f) => f.path)).toEqual(expect.arrayContaining(['', '/tags/kept-tag', '/tags/missed']));
      expect(seen[1]?.feeds.map((f) => f.path)).not.toContain('/tags/kept-tag');
    } finally {
      stop();
      await lagging.close();
      await admin.end();
      await store.remove('kept-story');
      await store.remove('missed-1');
      await store.remove('missed-2');
    }
  });

  it('says "created" exactly once when two writers create one id at the same moment', async () => {
    const record = bytes(makeRecord({ id: 'raced-story' }));
    const results = await Promise.all([store.put('raced-story', record), other.put('raced-story', record), store.put('raced-story', record)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await store.remove('raced-story')).toBe(true);
  });

  it('refuses what the files backend refuses, with the same field-level messages, and writes nothing', async () => {
    const before = store.version();
    const refused = async (id: string, body: Uint8Array): Promise<StoreRecordError> => {
      const error = await store.put(id, body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreRecordError);
      return error as StoreRecordError;
    };
    expect((await refused('x', Buffer.from('{"id": '))).problems[0]?.message).toMatch(/^data\/articles\/x\.json: is not valid JSON/);
    expect((await refused('x', bytes(makeRecord({ id: 'y' })))).message).toBe('The id in the path ("x") and in the body ("y") disagree.');
    const bad = await refused('x', bytes(makeRecord({ id: 'x', published: 'yesterday', url: 'ftp://x' })));
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['published', 'url']);
    expect(bad.problems[0]?.message).toMatch(/^data\/articles\/x\.json: field "/);
    await refused('Bad_Id', bytes(makeRecord({ id: 'Bad_Id' })));
    expect(store.version()).toBe(before);
    expect(await store.article('x')).toBeUndefined();
  });

  it('stores quotes, backslashes, semicolons and $1 as text: every value is a parameter', async () => {
    const nasty = `Robert'); DROP TABLE articles; -- \\ "$1" $2::text \\'`;
    const record = makeRecord({ id: 'o-brien-1', headline: nasty, summary: nasty, section: `Sec'tion; $1`, tags: [nasty, `tag\\'; $1`], credits: [{ name: `O'Brien \\ $1`, role: 'reporter' }] });
    await store.put('o-brien-1', bytes(record));
    const article = await store.article('o-brien-1');
    expect(article?.headline).toBe(nasty);
    expect(article?.tags).toEqual([nasty, `tag\\'; $1`]);
    const directory = await store.directory(NOW);
    const tag = directory.feeds.find((f) => f.name === nasty);
    // The name has punctuation inside words and at its end, so its slug carries the name's hash (docs/slugs.md).
    expect(tag?.filter?.slug).toMatch(/^robert-drop-table-articles-1-2-text~[0-9a-z]{8}$/);
    const page = await store.feedPage(tag?.filter, { limit: 5 }, NOW);
    expect(page?.name).toBe(nasty);
    expect(page?.articles.map((a) => a.id)).toEqual(['o-brien-1']);
    expect((await store.feedPage({ kind: 'author', slug: slugify(`O'Brien \\ $1`) }, { limit: 5 }, NOW))?.name).toBe(`O'Brien \\ $1`);
    // Ids that cannot be articles reach SQL too (GET by id): found by no one, harmful to nothing.
    for (const id of [`x'; DROP TABLE articles; --`, '$1', '\\', `o-brien-1' OR '1'='1`]) expect(await store.article(id)).toBeUndefined();
    expect(await store.feedPage({ kind: 'tag', slug: `' OR 1=1; --` }, { limit: 5 }, NOW)).toBeUndefined();
    expect((await store.summaries()).map((s) => s.id)).toContain('o-brien-1');
  });

  it('reports the database as down in /healthz, and a failed read as unavailable, never with the password', async () => {
    const health = await store.health(NOW);
    expect(health).toMatchObject({ backend: 'postgres', up: true, rejected: [], warnings: [] });
    expect(health.articles).toBeGreaterThan(0);
    const url = new URL(database.url());
    url.username = 'postgres';
    url.password = 's3cret-pw';
    url.port = '1';
    const error = await createPostgresStore({ url: url.toString(), site: makeSite(), dataDir: 'data', connectTimeoutMs: 2000 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Cannot connect to the database at 127.0.0.1:1/${url.pathname.slice(1)}`);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});

describe.skipIf(!available)('PostgreSQL store when the database goes away', () => {
  it('answers 503-type errors and health up: false instead of hanging', async () => {
    const scratch = await createScratchDatabase();
    const pool = createPool({ url: scratch.url });
    await migrate(pool);
    await pool.end();
    const store = await createPostgresStore({ url: scratch.url, site: makeSite(), dataDir: 'data', connectTimeoutMs: 1000 });
    try {
      // Terminating every connection stands in for a database restart.
      const admin = new pg.Client({ connectionString: scratch.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      await admin.end();
      await scratch.drop();
      expect((await store.health(NOW)).up).toBe(false);
      await expect(store.feedPage(undefined, { limit: 5 }, NOW)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
    } finally {
      await store.close();
    }
  });
});
