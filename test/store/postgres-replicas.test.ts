import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { FeedCache } from '../../src/http/feed-cache.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';

const available = await probePostgres();
const bytes = (record: unknown) => Buffer.from(JSON.stringify(record));

interface Replica {
  readonly url: string;
  readonly store: Store;
  readonly cache: FeedCache;
  readonly close: () => Promise<void>;
}

describe.skipIf(!available)('two replicas on one PostgreSQL database', () => {
  const database = useScratchDatabase();
  let a: Replica;
  let b: Replica;

  const replica = async (): Promise<Replica> => {
    const store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined });
    const cache = new FeedCache({ maxEntries: 1000, maxBytes: 1 << 26 });
    const server = await listen(createApp({ store, log: () => undefined, feedCache: cache, ingest: { token: 'secret', maxBytes: 1 << 20 } }));
    return { url: server.url, store, cache, close: async () => (await server.close(), await store.close()) };
  };

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    a = await replica();
    for (let i = 0; i < 5; i++) await a.store.put(`old-${i}`, bytes(makeRecord({ id: `old-${i}`, tags: [i % 2 === 0 ? 'Even' : 'Odd'], published: `2024-05-0${i + 1}T10:00:00Z` })));
    b = await replica();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('a PUT through one replica is in the other one\'s feeds (every page) within 1 s, with equal bytes and ETags; untouched feeds stay cached', async () => {
    const paths = ['/rss.xml', '/tags/even/rss.xml', '/tags/even/feed.json?limit=1', '/tags/even/atom.xml?limit=1&since=2024-01-01T00:00:00Z', '/tags/odd/rss.xml'];
    for (const path of paths) expect((await rawRequest(`${b.url}${path}`)).status, path).toBe(200);
    const rendersBefore = b.cache.stats.renders;
    const put = await fetch(`${a.url}/api/articles/new-even`, {
      method: 'PUT',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
      body: JSON.stringify(makeRecord({ id: 'new-even', tags: ['Even'], headline: 'Fresh even story', published: '2024-06-01T10:00:00Z' })),
    });
    expect(put.status).toBe(201);
    const started = Date.now();
    for (;;) {
      const page = await rawRequest(`${b.url}/tags/even/feed.json?limit=1`);
      if (page.body.toString().includes('Fresh even story')) break;
      expect(Date.now() - started, 'visible on the other replica').toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const path of paths) {
      const [onA, onB] = await Promise.all([rawRequest(`${a.url}${path}`), rawRequest(`${b.url}${path}`)]);
      expect(onB.status, path).toBe(200);
      expect(onB.body.equals(onA.body), path).toBe(true);
      expect(onB.headers.etag, path).toBe(onA.headers.etag);
      expect(onB.headers['last-modified'], path).toBe(onA.headers['last-modified']);
    }
    expect((await rawRequest(`${b.url}/tags/even/atom.xml?limit=1&since=2024-01-01T00:00:00Z`)).body.toString()).toContain('Fresh even story');
    // The change touched the main feed and the feeds of the new article (its tag, section, language, authors):
    // the four documents of those feeds were rendered again on B, the odd tag's was not.
    expect(b.cache.stats.renders - rendersBefore).toBe(4);
  });

  it('names the feeds of a response in Surrogate-Key and Cache-Tag', async () => {
    const tag = await rawRequest(`${b.url}/tags/odd/atom.xml`);
    expect(tag.headers['surrogate-key']).toBe('feeds tags/odd');
    expect(tag.headers['cache-tag']).toBe('feeds,tags/odd');
    const again = await rawRequest(`${b.url}/tags/odd/atom.xml`);
    expect(again.headers['surrogate-key']).toBe('feeds tags/odd');
    expect((await rawRequest(`${b.url}/rss.xml?limit=2`)).headers['surrogate-key']).toBe('feeds main');
  });
});
