import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/model/types.js';
import type { Cursor } from '../../src/model/cursor.js';
import type { FeedFilter } from '../../src/model/feed-filter.js';
import { START_OF_TIME, type FeedQuery } from '../../src/model/feed-query.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { FeedPage, Store } from '../../src/store/store.js';
import { makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { CONTRACT_NOW, contractRecords, snapshotOf } from './contract-records.js';

const available = await probePostgres();

/** Every field of every article, the body included, and the cursors: what a rendered feed is made from. */
function expectSamePage(actual: FeedPage | undefined, expected: FeedPage | undefined, where: string): void {
  if (expected === undefined || actual === undefined) {
    expect(actual, where).toEqual(expected);
    return;
  }
  expect(actual.articles.map((a) => a.id), where).toEqual(expected.articles.map((a) => a.id));
  expected.articles.forEach((article, i) => expect({ ...(actual.articles[i] as Article) }, `${where} ${article.id}`).toEqual({ ...article, body: article.body }));
  const { articles: _a, ...rest } = actual;
  const { articles: _b, ...expectedRest } = expected;
  expect(rest, where).toEqual(expectedRest);
}

describe.skipIf(!available)('the PostgreSQL store answers like the files backend (contract)', () => {
  const database = useScratchDatabase();
  const site = makeSite();
  const records = contractRecords();
  // The reference: the files backend's reads over the same records.
  const reference: Store = createSnapshotStore(snapshotOf(records, site));
  /** Instants around every embargo: before, exactly at, and after each release, and the fixed "now". */
  let instants: Date[] = [];
  let store: Store;

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    store = await createPostgresStore({ url: database.url(), site, dataDir: 'data' });
    for (const record of records) await store.put(String(record.id), Buffer.from(JSON.stringify(record)));
    const embargoed = (await reference.summaries()).filter((a) => a.status === 'published' && a.published > CONTRACT_NOW);
    instants = [CONTRACT_NOW, ...embargoed.flatMap((a) => [-1, 0, 1].map((d) => new Date(a.published.getTime() + d)))];
  });
  afterAll(async () => {
    await store?.close();
  });

  it('lists the same directory, article summaries and next releases at every instant', async () => {
    expect(await store.summaries()).toEqual(await reference.summaries());
    for (const now of instants) {
      expect(await store.directory(now), now.toISOString()).toEqual(await reference.directory(now));
      expect(await store.nextRelease(now), now.toISOString()).toEqual(await reference.nextRelease(now));
    }
    const [first, ...rest] = instants;
    for (const to of rest) expect(await store.releasedFeeds(first as Date, to), to.toISOString()).toEqual(await reference.releasedFeeds(first as Date, to));
  });

  it('returns every article by id, drafts included, body and all fields equal', async () => {
    const keys = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : v)));
    for (const summary of await reference.summaries()) {
      const expected = (await reference.article(summary.id)) as Article;
      const actual = (await store.article(summary.id)) as Article;
      expect({ ...actual }).toEqual({ ...expected, body: expected.body });
      // Same JSON, key order included: the ingest API serialises articles, and JSONB sorts keys.
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      expect(keys(actual)).toEqual(keys(expected));
    }
    expect(await store.article('no-such-story')).toBeUndefined();
  });

  it('serves the same page for every feed, limit, cursor walk and instant', async () => {
    let pages = 0;
    for (const now of instants) {
      const filters: (FeedFilter | undefined)[] = (await reference.directory(now)).feeds.map((feed) => feed.filter);
      for (const filter of filters) {
        const where = (query: FeedQuery) => `${filter ? `${filter.kind}/${filter.slug}` : 'main'} at ${now.toISOString()} ${JSON.stringify(query)}`;
        const check = async (query: FeedQuery): Promise<FeedPage | undefined> => {
          const expected = await reference.feedPage(filter, query, now);
          expectSamePage(await store.feedPage(filter, query, now), expected, where(query));
          pages += 1;
          return expected;
        };
        for (const limit of [1, 2, 3, 4, 5, 6, 7, 50]) {
          // Forward from the top by `next`, then back from the oldest page by `previous`.
          let page = await check({ limit });
          for (let n = 0; page?.next !== undefined && n < 80; n++) page = await check({ limit, before: page.next });
          page = await check({ limit, after: START_OF_TIME });
          for (let n = 0; page?.previous !== undefined && n < 80; n++) page = await check({ limit, after: page.previous });
        }
        // `since` between updates, and cursors that point between articles or at none.
        const top = (await reference.feedPage(filter, { limit: 50 }, now))?.articles ?? [];
        const middle = top[Math.floor(top.length / 2)];
        if (middle !== undefined) {
          await check({ limit: 3, since: middle.updated });
          await check({ limit: 3, since: new Date(middle.updated.getTime() - 1) });
          const between: Cursor = { published: middle.published.getTime(), id: '' };
          await check({ limit: 2, before: between });
          await check({ limit: 2, after: between });
          await check({ limit: 2, before: { published: middle.published.getTime(), id: `${middle.id}-` } });
          await check({ limit: 2, after: { published: middle.published.getTime(), id: middle.id }, since: new Date(0) });
        }
        await check({ limit: 4, before: { published: 8.64e15, id: 'zzz' } });
        await check({ limit: 4, before: START_OF_TIME });
        await check({ limit: 4, after: { published: 8.64e15, id: '' } });
      }
    }
    expect(pages).toBeGreaterThan(500);
  });

  it('knows no feed for a slug no visible article carries, draft-only and embargo-only ones included', async () => {
    for (const filter of [
      { kind: 'tag', slug: 'no-such-tag' },
      { kind: 'section', slug: "korea'; --" },
      { kind: 'author', slug: '' },
    ] as FeedFilter[]) {
      expect(await store.feedPage(filter, { limit: 5 }, CONTRACT_NOW)).toBeUndefined();
    }
    // Before any article was published, no filtered feed exists and the main feed is empty.
    const early = new Date('2000-01-01T00:00:00Z');
    expectSamePage(await store.feedPage(undefined, { limit: 5 }, early), await reference.feedPage(undefined, { limit: 5 }, early), 'main in 2000');
    expect(await store.feedPage({ kind: 'tag', slug: 'elections' }, { limit: 5 }, early)).toBeUndefined();
  });
});
