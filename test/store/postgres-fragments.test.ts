import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { Site } from '../../src/model/types.js';
import { fragmentKey } from '../../src/render/render.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';

const available = await probePostgres();
const bytes = (record: unknown) => Buffer.from(JSON.stringify(record));
const PATHS = ['/rss.xml', '/atom.xml', '/feed.json', '/ninjs.json'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rendered items kept in article_fragments (issue 30): a new process (a new
 * app and store here) takes the items another rendered, and leaves them
 * unused after an edit, a site change or for an item with translation
 * links. A stored item is altered in the table to see whether it is sent.
 */
describe.skipIf(!available)('rendered feed items stored in PostgreSQL', () => {
  const database = useScratchDatabase();
  let pool: Pool;
  let writer: Store;

  /** A new app on its own store: nothing rendered in its memory. */
  const process = async (site: Site = makeSite()) => {
    const store = await createPostgresStore({ url: database.url(), site, dataDir: 'data', log: () => undefined });
    const server = await listen(createApp({ store, log: () => undefined }));
    const get = async (path: string) => (await rawRequest(`${server.url}${path}`)).body.toString('utf8');
    return { get, close: async () => (await server.close(), await store.close()) };
  };
  /** Every format of the main feed from a new process, its items stored before it closes. */
  const feeds = async (site?: Site): Promise<string[]> => {
    const app = await process(site);
    try {
      const bodies = [];
      for (const path of PATHS) bodies.push(await app.get(path));
      return bodies;
    } finally {
      await settled();
      await app.close();
    }
  };
  /** Storing is not awaited by the request: waits until the table stops changing. */
  const settled = async () => {
    let last = '';
    for (let i = 0; i < 50; i++) {
      const now = JSON.stringify((await pool.query('SELECT article_id, format, etag, render_key FROM article_fragments ORDER BY 1, 2')).rows);
      if (now === last) return;
      last = now;
      await sleep(40);
    }
  };
  /** Alters the text of every stored item of `id` (each format's), failing when one does not hold `from`. */
  const alter = async (id: string, from: string, to: string) => {
    const result = await pool.query('UPDATE article_fragments SET fragment = replace(fragment, $2, $3) WHERE article_id = $1 AND strpos(fragment, $2) > 0', [id, from, to]);
    expect(result.rowCount).toBe(PATHS.length);
  };
  const storedCount = async (id: string) => Number((await pool.query('SELECT count(*) AS n FROM article_fragments WHERE article_id = $1', [id])).rows[0].n);

  beforeAll(async () => {
    pool = createPool({ url: database.url() });
    await migrate(pool);
    writer = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined });
    await writer.put('one', bytes(makeRecord({ id: 'one', url: 'https://news.example.org/one.html', headline: 'First story', body: '<p>Body of one.</p>', published: '2024-05-01T10:00:00Z' })));
    await writer.put('two', bytes(makeRecord({ id: 'two', url: 'https://news.example.org/two.html', headline: 'Second story', body: '<p>Body of two.</p>', published: '2024-05-02T10:00:00Z' })));
  });
  // Each test starts with nothing stored.
  beforeEach(async () => {
    await pool.query('DELETE FROM article_fragments');
  });
  afterAll(async () => {
    await writer?.close();
    await pool?.end();
  });

  it('a new process sends the items another one rendered and stored, with the same bytes in every format', async () => {
    const first = await feeds();
    expect(await storedCount('one')).toBe(PATHS.length);
    expect(await feeds()).toEqual(first);
    // Proof that the second came from the table: what is stored is what is sent.
    await alter('one', 'Body of one.', 'Stored body of one.');
    for (const body of await feeds()) {
      expect(body).toContain('Stored body of one.');
      expect(body).toContain('Body of two.');
    }
  });

  it('an edit leaves the stored items unused: the next process sends the new text, and stores it', async () => {
    await feeds();
    await alter('two', 'Body of two.', 'Stale body of two.');
    await writer.put('two', bytes(makeRecord({ id: 'two', url: 'https://news.example.org/two.html', headline: 'Second story, corrected', body: '<p>Corrected body of two.</p>', published: '2024-05-02T10:00:00Z' })));
    for (const body of await feeds()) {
      expect(body).toContain('Corrected body of two.');
      expect(body).not.toContain('Stale body of two.');
    }
    const stored = await pool.query<{ fragment: string }>(`SELECT fragment FROM article_fragments WHERE article_id = 'two' AND format = 'rss'`);
    expect(stored.rows[0]?.fragment).toContain('Corrected body of two.');
  });

  it('a site.json change leaves the stored items unused', async () => {
    await feeds();
    await alter('one', 'Body of one.', 'Old-site body of one.');
    const other = makeSite({ title: 'Another newsroom', idAuthority: 'other.example.org,2020' });
    for (const body of await feeds(other)) {
      expect(body).toContain('Another newsroom');
      expect(body).not.toContain('Old-site body of one.');
    }
    // Rendered again under the new site's key, and stored in place of the old.
    const stored = await pool.query<{ fragment: string }>(`SELECT fragment FROM article_fragments WHERE article_id = 'one'`);
    for (const row of stored.rows) expect(row.fragment).not.toContain('Old-site body of one.');
  });

  it('an item with translation links is rendered every time, never taken from the table', async () => {
    await writer.put('three-ko', bytes(makeRecord({ id: 'three-ko', url: 'https://news.example.org/ko/three.html', language: 'ko', headline: '세 번째', body: '<p>Body of three.</p>', published: '2024-05-03T10:00:00Z' })));
    await writer.put('three-en', bytes(makeRecord({ id: 'three-en', url: 'https://news.example.org/en/three.html', headline: 'Third story', body: '<p>Body of three in English.</p>', translationOf: 'three-ko', published: '2024-05-03T11:00:00Z' })));
    const [rss] = await feeds();
    expect(rss).toContain('https://news.example.org/en/three.html');
    expect(await storedCount('three-en')).toBe(0);
    expect(await storedCount('three-ko')).toBe(0);
  });

  it('a page read with its items answers the next read from them; another format or key is read from the table', async () => {
    await feeds();
    const site = makeSite();
    const store = await createPostgresStore({ url: database.url(), site, dataDir: 'data', log: () => undefined });
    try {
      const page = await store.feedPage(undefined, { limit: 10 }, new Date(), { format: 'rss', key: fragmentKey(site, 'rss') });
      const articles = page?.articles ?? [];
      expect(articles.map((article) => article.id)).toContain('one');
      // What the table holds now is not what came with the page: the read answers from the page.
      await alter('one', 'Body of one.', 'Altered after the page was read.');
      const withPage = await store.fragments?.read('rss', fragmentKey(site, 'rss'), articles);
      expect([...(withPage?.values() ?? [])].join('')).toContain('Body of one.');
      expect([...(withPage?.values() ?? [])].join('')).not.toContain('Altered after the page was read.');
      // Asked for another format, or under another key, it reads the table as before.
      const atom = await store.fragments?.read('atom', fragmentKey(site, 'atom'), articles);
      expect([...(atom?.values() ?? [])].join('')).toContain('Altered after the page was read.');
      expect((await store.fragments?.read('rss', 'another-key', articles))?.size).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('deleting an article deletes its stored items', async () => {
    await feeds();
    expect(await storedCount('one')).toBe(PATHS.length);
    expect(await writer.remove('one')).toBe(true);
    expect(await storedCount('one')).toBe(0);
  });
});
