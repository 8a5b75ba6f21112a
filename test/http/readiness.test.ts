import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/**
 * Ready when ready: while the store is still loading, /readyz and every
 * feed, page and API answer 503 with Retry-After (never half the data),
 * /healthz answers 200 (the process is alive); once loaded, all is served.
 */
let ready = false;
const inner = createSnapshotStore(makeSnapshot([makeRecord({ id: 'only', published: '2030-01-01T00:00:00Z', headline: 'Only', tags: ['Tag 7'] })]));
const store: Store = { ...inner, ready: () => ready };
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  const app = createApp({ store, clock: () => new Date('2030-06-01T00:00:00Z'), log: () => {}, ingest: { token: 'a-long-enough-secret', maxBytes: 65536 } });
  server = await listen(app);
});
afterAll(() => server.close());

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
const PATHS = ['/rss.xml', '/atom.xml', '/feed.json', '/tags/tag-7/rss.xml', '/', '/tags/tag-7/', '/feeds.opml', '/embed?feed=/rss.xml'];

describe('readiness', () => {
  it('while loading: /readyz is 503 with Retry-After, /healthz is 200', async () => {
    ready = false;
    const readyz = await get('/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.headers.get('retry-after')).toBe('1');
    expect(readyz.headers.get('cache-control')).toBe('no-store');
    expect(await readyz.json()).toEqual({ ready: false, backend: 'files' });
    const healthz = await get('/healthz');
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({ status: 'loading' });
  });

  it.each(PATHS)('while loading: %s is 503 with Retry-After and a short message', async (path) => {
    ready = false;
    const res = await get(path);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.text()).toBe('Starting up: the articles are still loading; try again in a moment.\n');
  });

  it('while loading: the ingest API is refused the same way, as problem details', async () => {
    ready = false;
    const res = await get('/api/articles', { headers: { authorization: 'Bearer a-long-enough-secret' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await res.json()).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'Starting up: the articles are still loading; try again in a moment.' });
  });

  it('once loaded: /readyz is 200 and everything is served', async () => {
    ready = true;
    const readyz = await get('/readyz');
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ ready: true, backend: 'files' });
    for (const path of PATHS) expect([path, (await get(path)).status]).toEqual([path, 200]);
    expect(await (await get('/healthz')).json()).toMatchObject({ status: 'ok', articles: 1 });
  });

  it('a store without ready() is always ready', async () => {
    const app = createApp({ store: inner, log: () => {} });
    const other = await listen(app);
    try {
      expect((await fetch(`${other.url}/readyz`)).status).toBe(200);
    } finally {
      other.close();
    }
  });
});
