import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ROUTE_QUERY_PARAMETERS } from '../../src/http/query-guard.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/** Documents outside the feeds answer 400 for a query they do not know, as the feeds do, instead of ignoring it. */
const NOW = new Date('2026-01-01T00:00:00Z');
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  const store = createSnapshotStore(makeSnapshot([makeRecord({ id: 'first-story', published: '2025-12-31T12:00:00Z' })]));
  server = await listen(createApp({ store, clock: () => NOW, production: true, log: () => {} }));
});
afterAll(() => server.close());

describe('query parameters a document does not accept', () => {
  it.each([
    ['/news-sitemap.xml?limit=abc', 'limit'],
    ['/robots.txt?x', 'x'],
    ['/articles/first-story.ninjs.json?before=zzz', 'before'],
    ['/news-sitemap.xml?limit=5', 'limit'],
  ])('%s answers 400 naming %s', async (path, name) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`unknown query parameter "${name}"; this URL takes no query parameters`);
  });

  it.each(['/news-sitemap.xml', '/robots.txt', '/articles/first-story.ninjs.json'])('%s without a query (or with an empty one) still answers 200', async (path) => {
    for (const url of [path, `${path}?`]) expect((await fetch(`${server.url}${url}`)).status, url).toBe(200);
  });

  it('the feeds answer 400 for an unknown parameter too, the rule these now follow', async () => {
    expect((await fetch(`${server.url}/rss.xml?x`)).status).toBe(400);
    expect(Object.keys(ROUTE_QUERY_PARAMETERS)).toEqual(['/news-sitemap.xml', '/robots.txt', '/articles/:file']);
  });
});
