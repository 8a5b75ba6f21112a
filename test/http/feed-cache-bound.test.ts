import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FeedCache, type CachedFeed, type RenderedFeed } from '../../src/http/feed-cache.js';
import { StoreUnavailableError } from '../../src/store/errors.js';

/**
 * FEED_CACHE_MB is documented as a bound on every cached byte (README,
 * docs/feeds-and-polling.md). These tests count what the cache really holds
 * (every distinct document it can still serve, with each compressed form
 * made of it) rather than trusting its own tally: issue 23's soak saw
 * replicas grow while writes re-rendered feeds that readers were fetching
 * compressed, and a compression that finished while its document was being
 * replaced was held but never counted.
 */
/** About 60 KB that gzip cannot shrink much (hex of a hash chain), so a compressed form is a real share of the budget. */
const body = (n: number): string => {
  let text = '';
  for (let i = 0; text.length < 60_000; i++) text += createHash('sha256').update(`${n}:${i}`).digest('hex');
  return `<rss>${text}</rss>`;
};
const result = (n: number) => ({ body: body(n), contentType: 'application/rss+xml', lastModified: new Date(0) });

/** Bytes of every document the cache can still serve, each counted once. */
function held(cache: FeedCache): number {
  let total = 0;
  for (const feed of new Set<RenderedFeed>(cache.documents())) total += feed.size;
  return total;
}

describe('the response cache stays within FEED_CACHE_MB', () => {
  it('counts a compressed form that finishes while its document is being re-rendered', async () => {
    const budget = 400_000;
    const cache = new FeedCache({ maxEntries: 1000, maxBytes: budget });
    for (let round = 0; round < 30; round++) {
      const key = `rss\n/tags/t${round % 3}\n`;
      const first = (await cache.get(key, cache.generation, 0, () => result(round))) as CachedFeed;
      // A reader asks for gzip; before it is made, a write re-renders the feed.
      const gzip = first.feed.representation('gzip');
      cache.invalidate([`/tags/t${round % 3}`]);
      let finish!: () => void;
      const rendering = cache.get(key, cache.generation, 0, () => new Promise((resolve) => (finish = () => resolve(result(round + 1000)))));
      await gzip;
      finish();
      await rendering;
      // Other feeds come and go around it.
      for (let other = 0; other < 4; other++) await cache.get(`rss\n/tags/o${round}-${other}\n`, cache.generation, 0, () => result(round * 10 + other));
      expect(held(cache)).toBeLessThanOrEqual(budget + first.feed.size);
    }
    expect(cache.size.bytes).toBe(held(cache));
  });

  it('counts compressed forms of a document served stale while the store is down', async () => {
    let now = 0;
    const cache = new FeedCache({ maxEntries: 1000, maxBytes: 300_000, clock: () => now });
    for (let round = 0; round < 20; round++) {
      const key = `rss\n/sections/s${round % 2}\n`;
      await cache.get(key, cache.generation, 0, () => result(round));
      cache.invalidate();
      // The store is down: the last document is served, and readers want it in every coding.
      const stale = (await cache.get(key, cache.generation, 0, () => Promise.reject(new StoreUnavailableError('down')))) as CachedFeed;
      expect(stale.stale).toBe(true);
      await stale.feed.representation('gzip');
      await stale.feed.representation('br');
      now += 2000;
      await cache.get(key, cache.generation, 0, () => result(round + 500));
      for (let other = 0; other < 3; other++) await cache.get(`rss\n/o${round}-${other}\n`, cache.generation, 0, () => result(round * 10 + other));
      expect(cache.size.bytes).toBe(held(cache));
      expect(held(cache)).toBeLessThanOrEqual(300_000 + 200_000);
    }
  });
});
