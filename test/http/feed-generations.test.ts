import { describe, expect, it } from 'vitest';
import { FeedCache } from '../../src/http/feed-cache.js';
import { FeedGenerations, groupOf } from '../../src/http/feed-generations.js';

const render = (body: string) => () => ({ body, contentType: 'text/plain', lastModified: new Date(0) });

describe('per-feed invalidation', () => {
  it('a change naming feeds makes stale every page and query of those feeds and every non-feed document, nothing else', () => {
    const cache = new FeedCache({ maxEntries: 100, maxBytes: 1 << 20 });
    const keys = ['rss\n/tags/a\n', 'rss\n/tags/a\nlimit=1', 'json\n/tags/a\nbefore=x', 'rss\n/tags/b\n', 'rss\n\n', '/news-sitemap.xml'];
    for (const key of keys) cache.get(key, cache.generation, 0, render(key));
    cache.invalidate(['/tags/a']);
    const fresh = keys.filter((key) => cache.peek(key, cache.generation, 0) !== undefined);
    expect(fresh).toEqual(['rss\n/tags/b\n', 'rss\n\n']);
    cache.invalidate();
    expect(keys.filter((key) => cache.peek(key, cache.generation, 0) !== undefined)).toEqual([]);
  });

  it('a render that started before a change to its feed is not served as current after it', async () => {
    const cache = new FeedCache({ maxEntries: 100, maxBytes: 1 << 20 });
    let finish: (value: { body: string; contentType: string; lastModified: Date }) => void = () => undefined;
    const pending = cache.get('rss\n/tags/a\n', cache.generation, 0, () => new Promise((resolve) => (finish = resolve)));
    cache.invalidate(['/tags/a']);
    finish({ body: 'old', contentType: 'text/plain', lastModified: new Date(0) });
    await pending;
    expect(cache.peek('rss\n/tags/a\n', cache.generation, 0)).toBeUndefined();
  });

  it('falls back to one full invalidation past MAX_FEEDS touched feeds, so memory stays bounded', () => {
    const generations = new FeedGenerations();
    const before = generations.generation;
    generations.invalidate(Array.from({ length: FeedGenerations.MAX_FEEDS + 1 }, (_, i) => `/tags/t${i}`));
    expect(generations.isCurrent('rss\n/tags/other\n', before)).toBe(false);
    expect(generations.isCurrent('rss\n/tags/other\n', generations.generation)).toBe(true);
  });

  it('reads the feed path out of a cache key', () => {
    expect(groupOf('atom\n/sections/korea\nlimit=2')).toBe('/sections/korea');
    expect(groupOf('atom\n\n')).toBe('');
    expect(groupOf('/articles/x.ninjs.json')).not.toBe('');
  });
});
