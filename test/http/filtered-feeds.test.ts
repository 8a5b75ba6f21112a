import { describe, expect, it } from 'vitest';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { backendServers, rawRequest } from './feed-client.js';

const BASE = 'https://feeds.example.org';

function newsroom(): Record<string, unknown>[] {
  return [
    makeRecord({ id: 'korea-market', headline: 'Korea market', published: '2024-05-03T00:00:00Z', section: 'Korea', tags: ['Markets', '북한'], language: 'ko', credits: [{ name: 'Min-seo Park', role: 'reporter' }] }),
    makeRecord({ id: 'china-flood', headline: 'China flood', published: '2024-05-02T00:00:00Z', section: 'China', tags: ['Weather'], language: 'zh-Hans', credits: [{ name: 'Ji-woo Han', role: 'writer' }] }),
    makeRecord({ id: 'korea-weather', headline: 'Korea weather', published: '2024-05-01T00:00:00Z', section: 'Korea', tags: ['Weather', 'Tag 7'], language: 'en', credits: [{ name: 'Min-seo Park', role: 'reporter' }, { name: 'Ji-woo Han', role: 'translator' }] }),
    makeRecord({ id: 'korea-draft', headline: 'Korea draft', published: '2024-04-30T00:00:00Z', section: 'Korea', tags: ['Drafts only'], status: 'draft' }),
  ];
}

async function ids(url: string, path: string): Promise<{ ids: string[]; title: string; feedUrl: string }> {
  const res = await rawRequest(`${url}${path}`);
  expect(res.status).toBe(200);
  const feed = JSON.parse(res.body.toString()) as { title: string; feed_url: string; items: { id: string }[] };
  return { ids: feed.items.map((i) => i.id.replace(/^tag:[^:]+:/, '')), title: feed.title, feedUrl: feed.feed_url };
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  /** An app over these records on this backend, closed after each test. */
  const serve = backendServers(useBackend(backend));

  describe('filtered feeds', () => {
    it.each([
      ['/sections/korea', ['korea-market', 'korea-weather'], 'Test Newsroom — Section: Korea'],
      ['/tags/weather', ['china-flood', 'korea-weather'], 'Test Newsroom — Tag: Weather'],
      ['/tags/tag-7', ['korea-weather'], 'Test Newsroom — Tag: Tag 7'],
      [`/tags/${encodeURIComponent('북한')}`, ['korea-market'], 'Test Newsroom — Tag: 북한'],
      ['/languages/zh-hans', ['china-flood'], 'Test Newsroom — Language: zh-Hans'],
      ['/languages/ZH-Hans', ['china-flood'], 'Test Newsroom — Language: zh-Hans'],
      ['/authors/ji-woo-han', ['china-flood', 'korea-weather'], 'Test Newsroom — Stories by Ji-woo Han'],
      ['/authors/min-seo-park', ['korea-market', 'korea-weather'], 'Test Newsroom — Stories by Min-seo Park'],
    ])('%s holds exactly its articles, newest first, under its own title and self link', async (path, expected, title) => {
      const server = await serve(newsroom());
      const feed = await ids(server.url, `${path}/feed.json`);
      expect(feed.ids).toEqual(expected);
      expect(feed.title).toBe(title);
      expect(decodeURIComponent(feed.feedUrl)).toBe(decodeURIComponent(`${BASE}${path.toLowerCase()}/feed.json`));
    });

    it.each(FEED_FORMATS)('answers an unknown or drafts-only slug in %s with 404 saying where the feeds are', async (format) => {
      const server = await serve(newsroom());
      for (const path of ['/tags/no-such-tag', '/tags/drafts-only', '/authors/nobody', '/languages/xx']) {
        const res = await rawRequest(`${server.url}${path}/${FORMATS[format].fileName}`);
        expect(res.status).toBe(404);
        expect(res.body.toString()).toMatch(/The list of feeds is at \/feeds\.opml and on the home page/);
      }
    });

    it('caches each filtered feed on its own: one change re-renders only what is requested again', async () => {
      const server = await serve(newsroom());
      const weather = await rawRequest(`${server.url}/tags/weather/rss.xml`);
      const korea = await rawRequest(`${server.url}/sections/korea/rss.xml`);
      expect(weather.headers.etag).not.toBe(korea.headers.etag);
      expect((await rawRequest(`${server.url}/tags/weather/rss.xml`, { 'if-none-match': String(weather.headers.etag) })).status).toBe(304);
      expect(server.cache.stats.renders).toBe(2);
    });
  });
});
