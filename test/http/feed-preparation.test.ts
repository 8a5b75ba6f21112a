import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { FeedCache } from '../../src/http/feed-cache.js';
import { FEED_FILE_NAMES, type DocumentFormat } from '../../src/model/types.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import type { PreparedFeed, Store } from '../../src/store/store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/**
 * Issue 30: a new process renders and compresses the main feed (every served
 * format, gzip) into its cache before /readyz says 200, and the busiest feeds
 * the store prepared right after; the first readers get those cached answers,
 * byte for byte what a render on request gives, and never one a change made
 * stale.
 */
const NOW = new Date('2030-06-01T00:00:00Z');
const FORMATS = Object.keys(FEED_FILE_NAMES) as DocumentFormat[];
const records = (headline: string) =>
  Array.from({ length: 12 }, (_, i) => makeRecord({ id: `story-${i}`, headline: `${headline} ${i}`, published: `2030-0${1 + (i % 5)}-1${i % 10}T00:00:00Z`, tags: i % 2 ? ['Busy tag'] : ['Quiet tag'] }));

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function serve(store: Store, extra: Partial<AppDeps> = {}) {
  const feedCache = new FeedCache({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
  const built = createApp({ store, clock: () => NOW, log: () => {}, feedCache, ...extra });
  const server = await listen(built);
  closers.push(server.close);
  return { ...built, feedCache, url: server.url };
}

const path = (format: DocumentFormat, folder = '') => `${folder}/${FEED_FILE_NAMES[format]}`;
/** A gzip request; fetch decodes the body (`text`), the ETag is the gzip representation's. */
const gzipGet = async (url: string) => {
  const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  return { status: res.status, etag: res.headers.get('etag'), encoding: res.headers.get('content-encoding'), text: await res.text() };
};

describe('feeds prepared before ready', () => {
  it('is not ready until the main feed is cached; then its first request in each format is a cache hit, identical to a render on request', async () => {
    const store = createSnapshotStore(makeSnapshot(records('Story')));
    const loaded = deferred();
    const warm = await serve(store, { whenStoreReady: loaded.promise });
    expect((await fetch(`${warm.url}/readyz`)).status).toBe(503);
    expect(warm.feedCache.stats.renders).toBe(0);
    loaded.resolve();
    await warm.preparation?.mainFeed;
    expect((await fetch(`${warm.url}/readyz`)).status).toBe(200);
    expect(warm.feedCache.stats.renders).toBe(FORMATS.length);

    const cold = await serve(store);
    for (const format of FORMATS) {
      const hits = warm.feedCache.stats.hits;
      const got = await gzipGet(`${warm.url}${path(format)}`);
      expect([format, got.status, got.encoding]).toEqual([format, 200, 'gzip']);
      // Served from the cache: no render, no compression on request.
      expect(warm.feedCache.stats.hits).toBe(hits + 1);
      const rendered = await gzipGet(`${cold.url}${path(format)}`);
      expect(got.etag).toBe(rendered.etag);
      expect(got.text).toBe(rendered.text);
    }
    expect(warm.feedCache.stats.renders).toBe(FORMATS.length);
    expect(warm.feedCache.stats.compressions).toBe(FORMATS.length);
  });

  it('renders the feeds the store prepared (RSS) in the background after ready, and not the ones it did not', async () => {
    const inner = createSnapshotStore(makeSnapshot(records('Story')));
    const prepared: PreparedFeed[] = [{}, { filter: { kind: 'tag', slug: 'busy-tag' } }];
    const warm = await serve({ ...inner, prepared: Promise.resolve(prepared) }, { whenStoreReady: Promise.resolve() });
    await warm.preparation?.busiest;
    const renders = warm.feedCache.stats.renders;
    expect(renders).toBe(FORMATS.length + 1);
    const busy = await gzipGet(`${warm.url}${path('rss', '/tags/busy-tag')}`);
    expect(busy.status).toBe(200);
    expect(warm.feedCache.stats.renders).toBe(renders);
    const quiet = await gzipGet(`${warm.url}${path('rss', '/tags/quiet-tag')}`);
    expect(quiet.status).toBe(200);
    expect(warm.feedCache.stats.renders).toBe(renders + 1);
  });

  it('stops preparing the busiest feeds at half of the cache budget', async () => {
    const inner = createSnapshotStore(makeSnapshot(records('Story')));
    const feedCache = new FeedCache({ maxEntries: 1000, maxBytes: 1 });
    const built = createApp({ store: { ...inner, prepared: Promise.resolve([{ filter: { kind: 'tag', slug: 'busy-tag' } }]) }, clock: () => NOW, log: () => {}, feedCache, whenStoreReady: Promise.resolve() });
    await built.preparation?.busiest;
    // The main feed's four documents, and not the tag: the budget was spent.
    expect(feedCache.stats.renders).toBe(FORMATS.length);
  });

  it('serves a change made while the main feed was being prepared, not the prepared copy', async () => {
    const inner = createSnapshotStore(makeSnapshot(records('Old')));
    const gate = deferred();
    let held = 0;
    // The store answers the preparation's first read only once the change is made.
    const store: Store = {
      ...inner,
      feedPage: async (...args) => {
        if (held++ === 0) await gate.promise;
        return inner.feedPage(...args);
      },
    };
    const warm = await serve(store, { whenStoreReady: Promise.resolve() });
    await new Promise((r) => setTimeout(r, 20));
    inner.replace(makeSnapshot(records('New'), undefined, 2));
    gate.resolve();
    await warm.preparation?.mainFeed;
    for (const format of FORMATS) {
      const { text } = await gzipGet(`${warm.url}${path(format)}`);
      expect([format, text.includes('New 1'), text.includes('Old 1')]).toEqual([format, true, false]);
    }
  });

  it('serves a change made after the preparation, not the prepared copy', async () => {
    const inner = createSnapshotStore(makeSnapshot(records('Old')));
    const warm = await serve(inner, { whenStoreReady: Promise.resolve() });
    await warm.preparation?.mainFeed;
    inner.replace(makeSnapshot(records('New'), undefined, 2));
    const { text } = await gzipGet(`${warm.url}${path('rss')}`);
    expect(text).toContain('New 1');
    expect(text).not.toContain('Old 1');
  });

  it('an app given no store promise prepares nothing (a cold cache, ready with its store)', async () => {
    const cold = await serve(createSnapshotStore(makeSnapshot(records('Story'))));
    expect(cold.preparation).toBeUndefined();
    expect((await fetch(`${cold.url}/readyz`)).status).toBe(200);
    expect(cold.feedCache.stats.renders).toBe(0);
  });
});
