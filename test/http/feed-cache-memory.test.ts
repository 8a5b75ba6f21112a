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

/**
 * One budget for every cached byte: the fast path replays responses the feed
 * cache holds, and nothing else. It used to keep up to 512 full responses
 * of its own (1,000 queries for 1.4 MB documents: 200 MB → 940 MB).
 */
describe('fast path and feed cache share one memory budget', () => {
  it('with ~1.5 MB documents and a 6 MB budget, 30 distinct queries leave at most 6 MB replayable, all of it cached', async () => {
    const { createApp } = await import('../../src/http/app.js');
    const { createSnapshotStore } = await import('../../src/store/files/files-store.js');
    const { makeRecord, makeSnapshot } = await import('../helpers/builders.js');
    const { listen } = await import('../helpers/server.js');
    const paragraph = `<p>${'Harbor news in long form. '.repeat(40)}</p>`;
    const records = Array.from({ length: 50 }, (_, i) => makeRecord({ id: `big-${i}`, published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(), body: paragraph.repeat(30) }));
    const budget = 6 * 1024 * 1024;
    const feedCache = new FeedCache({ maxEntries: 1000, maxBytes: budget });
    const app = createApp({ store: createSnapshotStore(makeSnapshot(records)), clock: () => new Date('2025-01-01T00:00:00Z'), feedCache, log: () => {} });
    const { fastPath } = app;
    const server = await listen(app);
    gc();
    const externalBefore = process.memoryUsage().arrayBuffers;
    try {
      let largest = 0;
      for (let i = 0; i < 30; i++) {
        const url = `${server.url}/rss.xml?since=2000-01-01T00:00:${String(i).padStart(2, '0')}Z`;
        // Twice: the second answer comes from the fast path, which must have recorded the first.
        for (let n = 0; n < 2; n++) {
          const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
          expect(res.status).toBe(200);
          largest = Math.max(largest, (await res.arrayBuffer()).byteLength);
        }
      }
      expect(largest).toBeGreaterThan(1_000_000);
      // What a user notices: memory. Buffers still held after a collection stay within the budget (plus the
      // document in flight); 30 replayable documents of ~1.5 MB would be ~45 MB.
      // Response bodies and sockets still in flight on a busy machine are let go a moment later: collect a few
      // times before measuring (what stays is what the server holds; the unfixed server held ~45 MB here).
      let held = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 10 && held >= budget + 2 * largest; round++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        gc();
        held = process.memoryUsage().arrayBuffers - externalBefore;
      }
      expect(held).toBeLessThan(budget + 2 * largest);
      expect(fastPath.hits).toBeGreaterThan(0);
      const replayable = fastPath.size;
      expect(replayable.bytes).toBeLessThanOrEqual(budget);
      expect(feedCache.size.bytes).toBeLessThanOrEqual(budget + largest);
      for (const feed of replayable.feeds) expect(feedCache.holds(feed as never)).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);
});
