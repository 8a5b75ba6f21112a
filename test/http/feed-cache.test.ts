import { describe, expect, it } from 'vitest';
import { FeedCache } from '../../src/http/feed-cache.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { makeSnapshot } from '../helpers/builders.js';
import { FIXED_NOW, rawRequest, records, servers } from './feed-client.js';

/** serve(), closed after each test. */
const start = servers();

describe('feed cache', () => {
  it('renders a cold feed once for 50 simultaneous requests, and compresses it once', async () => {
    const server = await start(records(30));
    const responses = await Promise.all(Array.from({ length: 50 }, () => rawRequest(`${server.url}/atom.xml`, { 'accept-encoding': 'br' })));
    expect(responses.every((r) => r.status === 200 && r.headers['content-encoding'] === 'br')).toBe(true);
    expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(1);
    expect(server.cache.stats.renders).toBe(1);
    expect(server.cache.stats.compressions).toBe(1);
    // The other 49 are served from the cache: by the feed route, or by the fast path in front of Express once the route has answered.
    expect(server.cache.stats.hits + server.fastPath.hits).toBe(49);
  });

  it('shares one asynchronous render among concurrent callers', async () => {
    const cache = new FeedCache({ maxEntries: 10, maxBytes: 1 << 20 });
    let renders = 0;
    const render = async () => {
      renders += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { body: 'hello', contentType: 'text/plain', lastModified: new Date(0) };
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.get('k', cache.generation, 0, render)));
    expect(renders).toBe(1);
    expect(new Set(results.map((r) => r.feed)).size).toBe(1);
  });

  it('re-renders after a store change, and keeps the compressed bytes when the feed did not change', async () => {
    const server = await start(records(10));
    const first = await rawRequest(`${server.url}/rss.xml`, { 'accept-encoding': 'gzip' });
    server.store.replace(makeSnapshot(records(10), undefined, 2));
    const second = await rawRequest(`${server.url}/rss.xml`, { 'accept-encoding': 'gzip' });
    expect(server.cache.stats.renders).toBe(2);
    expect(server.cache.stats.compressions).toBe(1);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('stays within its entry bound however many query strings are requested', async () => {
    const server = await start(records(20), { feedCache: new FeedCache({ maxEntries: 8, maxBytes: 1 << 30 }) });
    for (let limit = 1; limit <= 40; limit++) expect((await rawRequest(`${server.url}/feed.json?limit=${limit}`)).status).toBe(200);
    expect(server.cache.size.entries).toBeLessThanOrEqual(8);
    expect(server.cache.stats.evictions).toBe(32);
    // The most recent ones are still served from memory.
    await rawRequest(`${server.url}/feed.json?limit=40`);
    expect(server.cache.stats.renders).toBe(40);
  });

  it('stays within its byte bound', async () => {
    const server = await start(records(50), { feedCache: new FeedCache({ maxEntries: 1000, maxBytes: 200_000 }) });
    for (let limit = 10; limit <= 50; limit++) await rawRequest(`${server.url}/rss.xml?limit=${limit}`, { 'accept-encoding': 'gzip' });
    expect(server.cache.size.bytes).toBeGreaterThan(0);
    expect(server.cache.size.bytes).toBeLessThanOrEqual(200_000);
    expect(server.cache.stats.evictions).toBeGreaterThan(0);
  });
});

describe('embargo', () => {
  const releaseAt = new Date(FIXED_NOW.getTime() + 120_000);
  const withEmbargo = () => [...records(3), ...records(1, () => ({ id: 'embargoed-story', headline: 'Embargoed story', published: releaseAt.toISOString(), section: 'World', tags: ['Embargo tag'] }))];

  it('caps max-age (and stale-while-revalidate) at the next release, then serves the released article with a new ETag', async () => {
    let now = FIXED_NOW;
    const server = await start(withEmbargo(), { clock: () => now });
    const before = await rawRequest(`${server.url}/feed.json`);
    expect(before.body.toString()).not.toContain('Embargoed story');
    expect(before.headers['cache-control']).toBe('public, max-age=120, stale-while-revalidate=0, stale-if-error=86400');
    now = new Date(releaseAt.getTime() - 29_500);
    expect((await rawRequest(`${server.url}/feed.json`)).headers['cache-control']).toBe('public, max-age=29, stale-while-revalidate=0, stale-if-error=86400');
    now = releaseAt;
    const after = await rawRequest(`${server.url}/feed.json`, { 'if-none-match': String(before.headers.etag) });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.toString()).toContain('Embargoed story');
    expect(after.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=60, stale-if-error=86400');
  });

  it('shortens only stale-while-revalidate when the release is beyond max-age', async () => {
    const server = await start(withEmbargo(), { clock: () => new Date(releaseAt.getTime() - 330_000) });
    expect((await rawRequest(`${server.url}/rss.xml`)).headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=30, stale-if-error=86400');
  });

  it('does not cap feeds the embargoed article is not in, and 404s its tag feed until the release', async () => {
    let now = FIXED_NOW;
    const server = await start(withEmbargo(), { clock: () => now });
    expect((await rawRequest(`${server.url}/sections/korea/rss.xml`)).headers['cache-control']).toContain('max-age=300');
    expect((await rawRequest(`${server.url}/rss.xml`)).headers['cache-control']).toContain('max-age=120');
    expect((await rawRequest(`${server.url}/tags/embargo-tag/rss.xml`)).status).toBe(404);
    now = releaseAt;
    const released = await rawRequest(`${server.url}/tags/embargo-tag/rss.xml`);
    expect(released.status).toBe(200);
    expect(released.body.toString()).toContain('Embargoed story');
  });

  it('uses FEED_MAX_AGE-style settings when given', async () => {
    const server = await start(records(2), { caching: { maxAge: 60, staleWhileRevalidate: 10, staleIfError: 600 } });
    expect((await rawRequest(`${server.url}/atom.xml`)).headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=10, stale-if-error=600');
  });
});

describe('feed cache while the store cannot answer (stale-if-error)', () => {
  const down = () => Promise.reject(new StoreUnavailableError('the database at test cannot be reached'));
  const doc = (body: string) => async () => ({ body, contentType: 'text/plain', lastModified: new Date(0) });

  it('keeps the last rendered document until its replacement is rendered, serves it while the store is down, and tries again once a second', async () => {
    let now = 1_000_000;
    const cache = new FeedCache({ maxEntries: 10, maxBytes: 1 << 20, clock: () => now });
    await cache.get('main\n\n', cache.generation, 0, doc('version 1'));
    cache.invalidate(['']);
    let attempts = 0;
    const failing = () => ((attempts += 1), down());
    // The render that fails, and the requests that joined it, get the document rendered before.
    const joined = await Promise.all([cache.get('main\n\n', cache.generation, 0, failing), cache.get('main\n\n', cache.generation, 0, failing)]);
    for (const value of joined) expect(value.feed.identity.bytes.toString()).toBe('version 1');
    expect(joined.every((value) => value.stale)).toBe(true);
    // Within the second after the failure nobody waits on the database.
    const meanwhile = cache.get('main\n\n', cache.generation, 0, failing);
    expect(meanwhile instanceof Promise).toBe(false);
    expect(attempts).toBe(1);
    now += 1000;
    expect((await cache.get('main\n\n', cache.generation, 0, failing)).feed.identity.bytes.toString()).toBe('version 1');
    expect(attempts).toBe(2);
    now += 1000;
    const back = await cache.get('main\n\n', cache.generation, 0, doc('version 2'));
    expect(back.feed.identity.bytes.toString()).toBe('version 2');
    expect(back.stale).toBeUndefined();
    expect(cache.size.bytes).toBe('version 2'.length);
  });

  it('answers the error for a document never rendered, and for a failure that is not the store being down', async () => {
    const cache = new FeedCache({ maxEntries: 10, maxBytes: 1 << 20 });
    await expect(cache.get('cold', cache.generation, 0, down)).rejects.toBeInstanceOf(StoreUnavailableError);
    await cache.get('k', cache.generation, 0, doc('one'));
    cache.invalidate();
    await expect(cache.get('k', cache.generation, 0, () => Promise.reject(new Error('a bug')))).rejects.toThrow('a bug');
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('does not fall back to a document rendered ahead of requests and never served, once a change made it stale; a served one it does', async () => {
    const cache = new FeedCache({ maxEntries: 10, maxBytes: 1 << 20 });
    await cache.get('main\n\n', cache.generation, 0, doc('prepared, empty'), 'prepare');
    await cache.get('tag\n/tags/a/\n', cache.generation, 0, doc('prepared, then served'), 'prepare');
    await cache.get('tag\n/tags/a/\n', cache.generation, 0, doc('not rendered again'));
    cache.invalidate();
    // Another replica served the newer version; here the store is down: the old, never served copy is not the answer.
    await expect(cache.get('main\n\n', cache.generation, 0, down)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await cache.get('tag\n/tags/a/\n', cache.generation, 0, down)).feed.identity.bytes.toString()).toBe('prepared, then served');
    expect(cache.size.bytes).toBe('prepared, then served'.length);
  });
});
