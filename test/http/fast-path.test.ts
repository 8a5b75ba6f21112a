import { describe, expect, it } from 'vitest';
import { FeedCache } from '../../src/http/feed-cache.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { FIXED_NOW, rawRequest, records, servers, type RawResponse } from './feed-client.js';

/** serve(), closed after each test. */
const start = servers();

/** Everything a client sees but the Date header. */
function seen(r: RawResponse) {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, headers, body: r.body.toString('base64') };
}

/**
 * The fast path in front of Express replays what the feed route answered:
 * the contract is that a client cannot tell the two apart.
 */
describe.each(['/rss.xml', '/atom.xml', '/feed.json', '/sections/korea/rss.xml', '/tags/test-tag/feed.json?limit=3'])('fast path for %s', (path) => {
  it.each<Record<string, string>>([{}, { 'accept-encoding': 'gzip' }, { 'accept-encoding': 'br;q=1, gzip;q=0.5' }])('answers exactly as Express did (%j)', async (encoding) => {
    const server = await start(records(5));
    const first = await rawRequest(`${server.url}${path}`, encoding);
    expect(server.fastPath.hits).toBe(0);
    const second = await rawRequest(`${server.url}${path}`, encoding);
    expect(server.fastPath.hits).toBe(1);
    expect(seen(second)).toEqual(seen(first));

    // Conditional GET and HEAD through the fast path, against Express's own answers.
    const etag = String(first.headers.etag);
    const viaFast304 = await rawRequest(`${server.url}${path}`, { ...encoding, 'if-none-match': etag });
    expect(server.fastPath.hits).toBe(2);
    const head = await rawRequest(`${server.url}${path}`, encoding, 'HEAD');
    expect(server.fastPath.hits).toBe(3);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body.length).toBe(0);

    const fresh = await start(records(5));
    const express304 = await rawRequest(`${fresh.url}${path}`, { ...encoding, 'if-none-match': etag });
    expect(fresh.fastPath.hits).toBe(0);
    expect(seen(viaFast304)).toEqual(seen(express304));
    expect(viaFast304.status).toBe(304);
  });
});

describe('fast path validity', () => {
  it('lets a data change through: the new feed comes from Express, then is replayed', async () => {
    const server = await start(records(3));
    await rawRequest(`${server.url}/rss.xml`);
    server.store.replace(makeSnapshot([...records(3), makeRecord({ id: 'brand-new', headline: 'Brand new', published: '2024-12-31T00:00:00Z' })], undefined, 2));
    const after = await rawRequest(`${server.url}/rss.xml`);
    expect(server.fastPath.hits).toBe(0);
    expect(after.body.toString()).toContain('Brand new');
    await rawRequest(`${server.url}/rss.xml`);
    expect(server.fastPath.hits).toBe(1);
  });

  it('is not used while Cache-Control counts down to an embargo release', async () => {
    const soon = new Date(FIXED_NOW.getTime() + 30_000).toISOString();
    const server = await start([...records(2), makeRecord({ id: 'embargoed', published: soon })]);
    const first = await rawRequest(`${server.url}/rss.xml`);
    expect(first.headers['cache-control']).toMatch(/max-age=30\b/);
    await rawRequest(`${server.url}/rss.xml`);
    expect(server.fastPath.hits).toBe(0);
  });

  it('stays on under a rate limit, which it applies before replaying (the limit itself: hostile-rate-limit.test.ts)', async () => {
    const server = await start(records(2), { guards: { rateLimit: 1000 } });
    const first = await rawRequest(`${server.url}/rss.xml`);
    const second = await rawRequest(`${server.url}/rss.xml`);
    expect(server.fastPath.hits).toBe(1);
    expect(seen(second)).toEqual(seen(first));
  });
});

/**
 * One freshness rule (issue 28): the fast path asks the feed cache whether a
 * replayed answer is still fresh, so a rule added to the cache alone (here an
 * expiry) holds for replayed answers too; a fast path with its own horizon
 * kept replaying past it.
 */
describe('fast path freshness is the feed cache’s', () => {
  it('stops replaying a feed once the cache’s expiry (less the Cache-Control window it promises) has passed, and the cache renders it again', async () => {
    let now = FIXED_NOW.getTime();
    const cache = new FeedCache({ maxEntries: 100, maxBytes: 1 << 24, expireAfterMs: 5_000 });
    // max-age=1, no stale-while-revalidate: each replayed answer promises one second.
    const server = await start(records(3), { feedCache: cache, clock: () => new Date(now), caching: { maxAge: 1, staleWhileRevalidate: 0 } });
    const at = async (ms: number) => {
      now = FIXED_NOW.getTime() + ms;
      return rawRequest(`${server.url}/rss.xml`);
    };
    const first = await at(0);
    expect(first.headers['cache-control']).toMatch(/max-age=1\b/);
    await at(1_000);
    await at(3_900);
    expect(server.fastPath.hits).toBe(2);
    expect(cache.stats.renders).toBe(1);
    // Fresh now, but not for the second its headers would promise: Express answers it from the cache.
    await at(4_500);
    expect(server.fastPath.hits).toBe(2);
    expect(cache.stats.renders).toBe(1);
    // Expired: neither the fast path nor the cache serves the old render.
    const renewed = await at(5_000);
    expect(server.fastPath.hits).toBe(2);
    expect(cache.stats.renders).toBe(2);
    expect(seen(renewed)).toEqual(seen(first));
    await at(5_001);
    expect(server.fastPath.hits).toBe(3);
    await at(9_500);
    expect(server.fastPath.hits).toBe(3);
  });
});
