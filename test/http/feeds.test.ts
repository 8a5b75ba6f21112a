import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { BACKENDS, useBackend, type OpenedStore } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { parseXml, text } from '../helpers/parse.js';
import { listen } from '../helpers/server.js';

const NOW = new Date('2030-06-01T00:00:00Z');
const records = [
  makeRecord({ id: 'oldest', published: '2030-01-01T00:00:00Z', headline: 'Oldest', section: 'World', tags: ['Tag 7'] }),
  makeRecord({ id: 'middle', published: '2030-02-01T00:00:00Z', headline: 'Middle', language: 'ug', tags: ['بازار'] }),
  makeRecord({ id: 'newest', published: '2030-03-01T00:00:00Z', headline: 'Newest' }),
  makeRecord({ id: 'draft', published: '2030-04-01T00:00:00Z', headline: 'Draft', status: 'draft' }),
  makeRecord({ id: 'embargoed', published: '2031-01-01T00:00:00Z', headline: 'Embargoed' }),
  makeRecord({ id: 'broken', published: 'someday' }),
];

const titles = {
  rss: (body: string) => (parseXml(body).rss.channel.item ?? []).map((i: any) => text(i.title)),
  atom: (body: string) => (parseXml(body).feed.entry ?? []).map((e: any) => text(e.title)),
  json: (body: string) => JSON.parse(body).items.map((i: any) => i.title),
};

describe.each(BACKENDS)('the $name backend', (backend) => {
  const harness = useBackend(backend);
  let opened: OpenedStore;
  let server: Awaited<ReturnType<typeof listen>>;
  let now = NOW;
  beforeAll(async () => {
    opened = await harness.open(records);
    server = await listen(createApp({ store: opened.store, clock: () => now, log: () => {} }));
  });
  afterAll(async () => {
    await server?.close();
    await opened?.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  describe.each([
    ['rss', '/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['atom', '/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['json', '/feed.json', 'application/feed+json; charset=utf-8'],
  ] as const)('%s feed over HTTP', (format, path, mediaType) => {
    it('answers 200 with its media type and the newest published articles first', async () => {
      now = NOW;
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(mediaType);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(titles[format](await res.text())).toEqual(['Newest', 'Middle', 'Oldest']);
    });

    it('shows an embargoed article once its time has come, without a restart', async () => {
      now = new Date('2031-01-01T00:00:01Z');
      expect(titles[format](await (await get(path)).text())).toEqual(['Embargoed', 'Newest', 'Middle', 'Oldest']);
      now = NOW;
    });

    it('honours limit and since, and refuses bad values with 400 and a message', async () => {
      expect(titles[format](await (await get(`${path}?limit=2`)).text())).toEqual(['Newest', 'Middle']);
      expect(titles[format](await (await get(`${path}?since=2030-01-15T00:00:00Z`)).text())).toEqual(['Newest', 'Middle']);
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1&limit=2', 'since=yesterday', 'page=2']) {
        const res = await get(`${path}?${query}`);
        expect(res.status, query).toBe(400);
        expect(await res.text()).toMatch(/must|unknown query parameter/);
      }
    });

    it('serves filtered feeds and says where the feed list is for an unknown slug', async () => {
      const file = path.slice(1);
      expect(titles[format](await (await get(`/sections/world/${file}`)).text())).toEqual(['Oldest']);
      expect(titles[format](await (await get(`/tags/tag-7/${file}`)).text())).toEqual(['Oldest']);
      expect(titles[format](await (await get(`/languages/ug/${file}`)).text())).toEqual(['Middle']);
      expect(titles[format](await (await get(`/tags/${encodeURIComponent('بازار')}/${file}`)).text())).toEqual(['Middle']);
      expect(titles[format](await (await get(`/authors/reporter-one/${file}`)).text())).toEqual(['Newest', 'Middle', 'Oldest']);
      const missing = await get(`/sections/nowhere/${file}`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toMatch(/list of feeds/);
      // A draft's section is no feed of ours.
      expect((await get(`/sections/korea/${file}`)).status).toBe(200);
    });
  });

  describe('GET /healthz', () => {
    it('reports articles loaded and each rejected file with its reason', async () => {
      const res = await get('/healthz');
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.articles).toBe(5);
      expect(body.visible).toBe(3);
      expect(body.rejected).toHaveLength(1);
      expect(body.rejected[0].file).toBe('data/articles/0005-broken.json');
      expect(body.rejected[0].field).toBe('published');
      expect(body.rejected[0].message).toMatch(/^data\/articles\/0005-broken\.json: field "published" must be an ISO 8601/);
    });
  });

  describe('unknown paths', () => {
    it('answer 404 with a pointer to the feeds', async () => {
      const res = await get('/nope');
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/rss\.xml/);
    });
  });
});
