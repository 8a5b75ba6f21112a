import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { newsLanguage, selectNewsArticles } from '../../src/query/news-sitemap.js';
import { renderNewsSitemap } from '../../src/render/news-sitemap.js';
import { makeArticle, makeRecord, makeSite } from '../helpers/builders.js';
import { parseXml, text } from '../helpers/parse.js';
import { listen } from '../helpers/server.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { newsSitemapSchemaErrors } from '../helpers/sitemap-schema.js';

const NOW = new Date('2024-06-10T12:00:00Z');

function records(): Record<string, unknown>[] {
  return [
    makeRecord({ id: 'fresh-en', headline: 'Ships <b>&</b> "storms"', url: 'https://news.example.org/en/fresh.html?a=1&b=2', published: '2024-06-10T09:00:00+09:00' }),
    makeRecord({ id: 'fresh-zh', language: 'zh-Hans', headline: '港口', url: 'https://news.example.org/zh/fresh.html', published: '2024-06-09T18:00:00', timezone: 'Asia/Shanghai' }),
    makeRecord({ id: 'fresh-hant', language: 'zh-Hant-TW', url: 'https://news.example.org/zh-tw/fresh.html', published: '2024-06-09T00:00:00Z' }),
    makeRecord({ id: 'old-en', url: 'https://news.example.org/en/old.html', published: '2024-06-08T11:59:59Z' }),
    makeRecord({ id: 'draft-en', url: 'https://news.example.org/en/draft.html', published: '2024-06-10T00:00:00Z', status: 'draft' }),
    makeRecord({ id: 'embargoed-ko', language: 'ko', url: 'https://news.example.org/ko/embargo.html', published: '2024-06-10T13:00:00Z' }),
  ];
}


function entries(xml: string): { loc: string; language: string; name: string; date: string; title: string }[] {
  const urls = parseXml(xml).urlset.url;
  return (Array.isArray(urls) ? urls : urls === undefined ? [] : [urls]).map((u: Record<string, any>) => ({
    loc: text(u.loc),
    name: text(u['news:news']['news:publication']['news:name']),
    language: text(u['news:news']['news:publication']['news:language']),
    date: text(u['news:news']['news:publication_date']),
    title: text(u['news:news']['news:title']),
  }));
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  const harness = useBackend(backend);
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  /** A store over `list` on this backend, closed after the test. */
  const open = async (list: readonly Record<string, unknown>[]) => {
    const opened = await harness.open(list);
    closers.push(opened.close);
    return opened.store;
  };
  async function serve(clock: () => Date) {
    const app = createApp({ store: await open(records()), clock });
    const server = await listen(app);
    closers.push(server.close);
    return (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
  }

  describe('/news-sitemap.xml', () => {
    it('lists the last two days of published stories, newest first, valid against the sitemaps.org schema and Google News rules', async () => {
      const get = await serve(() => NOW);
      const res = await get('/news-sitemap.xml');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      const xml = await res.text();
      expect(newsSitemapSchemaErrors(xml)).toEqual([]);
      // The check has teeth: a BCP 47 tag where Google wants its own code, a missing title.
      expect(newsSitemapSchemaErrors(xml.replace('<news:language>zh-cn<', '<news:language>zh-Hans<'))).not.toEqual([]);
      expect(newsSitemapSchemaErrors(xml.replace(/<news:title>[^<]*<\/news:title>/, ''))).not.toEqual([]);
      expect(entries(xml)).toEqual([
        { loc: 'https://news.example.org/en/fresh.html?a=1&b=2', name: 'Test Newsroom', language: 'en', date: '2024-06-10T00:00:00Z', title: 'Ships <b>&</b> "storms"' },
        { loc: 'https://news.example.org/zh/fresh.html', name: 'Test Newsroom', language: 'zh-cn', date: '2024-06-09T18:00:00+08:00', title: '港口' },
        { loc: 'https://news.example.org/zh-tw/fresh.html', name: 'Test Newsroom', language: 'zh-tw', date: '2024-06-09T00:00:00Z', title: 'Test headline' },
      ]);
    });

    it('adds an embargoed story when its time comes, and no cache keeps the sitemap past that instant', async () => {
      let now = NOW;
      const get = await serve(() => now);
      const before = await get('/news-sitemap.xml');
      expect(await before.text()).not.toContain('embargo.html');
      // One hour to the release: max-age may not reach past it.
      expect(before.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60, stale-if-error=86400');
      now = new Date('2024-06-10T12:59:00Z');
      expect((await get('/news-sitemap.xml')).headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=0, stale-if-error=86400');
      now = new Date('2024-06-10T13:00:00Z');
      const after = await get('/news-sitemap.xml', { 'If-None-Match': String(before.headers.get('etag')) });
      expect(after.status).toBe(200);
      expect(entries(await after.text()).map((e) => e.language)).toEqual(['ko', 'en', 'zh-cn', 'zh-tw']);
    });

    it('lets a story leave two days after publication', async () => {
      const get = await serve(() => new Date('2024-06-11T00:00:01Z'));
      expect(entries(await (await get('/news-sitemap.xml')).text()).map((e) => e.loc)).toEqual([
        'https://news.example.org/ko/embargo.html',
        'https://news.example.org/en/fresh.html?a=1&b=2',
        'https://news.example.org/zh/fresh.html',
      ]);
    });

    it('answers conditional GET with 304 and compresses like the feeds', async () => {
      const get = await serve(() => NOW);
      const first = await get('/news-sitemap.xml', { 'Accept-Encoding': 'gzip' });
      expect(first.headers.get('content-encoding')).toBe('gzip');
      expect(first.headers.get('vary')).toBe('Accept-Encoding');
      // fetch has already gunzipped the body.
      expect(await first.text()).toContain('<news:news>');
      const again = await get('/news-sitemap.xml', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(first.headers.get('etag')) });
      expect(again.status).toBe(304);
      const head = await fetch(new Request((await get('/news-sitemap.xml')).url, { method: 'HEAD' }));
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    });

    it('holds at most 1,000 stories, the newest', async () => {
      const articles = Array.from({ length: 1005 }, (_, i) =>
        makeArticle({ id: `story-${String(i).padStart(4, '0')}`, url: `https://news.example.org/s/${i}.html`, published: new Date(NOW.getTime() - i * 60_000).toISOString() }),
      );
      const view = selectNewsArticles(articles, NOW);
      expect(view.articles).toHaveLength(1000);
      const xml = await renderNewsSitemap(makeSite(), view.articles);
      expect(newsSitemapSchemaErrors(xml)).toEqual([]);
      const locs = entries(xml).map((e) => e.loc);
      expect(locs[0]).toBe('https://news.example.org/s/0.html');
      expect(locs[999]).toBe('https://news.example.org/s/999.html');
    });

    it('with no story in the last two days, is an empty urlset, not an error (the sitemap package throws EmptySitemap there)', async () => {
      const get = await serve(() => new Date('2030-01-01T00:00:00Z'));
      const res = await get('/news-sitemap.xml');
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(parseXml(xml).urlset.url).toBeUndefined();
      expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"></urlset>');
      const one = await renderNewsSitemap(makeSite(), [makeArticle({ url: 'https://news.example.org/x.html' })]);
      // The same root the package writes when it has entries.
      expect(one.startsWith(xml.slice(0, xml.indexOf('</urlset>')))).toBe(true);
    });

    it('is announced in /robots.txt and on the home page', async () => {
      const get = await serve(() => NOW);
      const robots = await get('/robots.txt');
      expect(robots.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await robots.text()).toContain('\nSitemap: https://feeds.example.org/news-sitemap.xml\n');
      expect(await (await get('/')).text()).toContain('<a href="/news-sitemap.xml">Google News sitemap</a>');
    });
  });
});

describe('news sitemap language codes', () => {
  it.each([
    ['en', 'en'],
    ['en-GB', 'en'],
    ['ko', 'ko'],
    ['ug', 'ug'],
    ['zh', 'zh-cn'],
    ['zh-Hans', 'zh-cn'],
    ['zh-Hans-HK', 'zh-cn'],
    ['zh-Hant', 'zh-tw'],
    ['zh-HK', 'zh-tw'],
    ['zh-TW', 'zh-tw'],
  ])('%s → %s', (tag, code) => {
    expect(newsLanguage(tag)).toBe(code);
  });
});
