import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FeedCache, type CachedFeed } from '../../src/http/feed-cache.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Regression: the soak test saw the server's memory grow by ~4 MB/s while
 * files changed. Each rendered feed kept the one before it alive through a
 * closure's shared scope, so every render since start stayed in memory.
 */
describe('FeedCache memory', () => {
  it('lets go of the feeds of earlier data versions', async () => {
    const cache = new FeedCache({ maxEntries: 10, maxBytes: 64 * 1024 * 1024 });
    const refs: WeakRef<object>[] = [];
    for (let version = 0; version < 40; version++) {
      cache.invalidate();
      const cached = (await cache.get('k', cache.generation, 0, () => ({ body: `<rss>${version} ${'x'.repeat(100_000)}</rss>`, contentType: 'application/rss+xml', lastModified: new Date(0) }))) as CachedFeed;
      await cached.feed.representation('gzip');
      refs.push(new WeakRef(cached.feed));
    }
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBeLessThanOrEqual(2);
  });
});
