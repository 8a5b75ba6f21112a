import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { formatCreditLine } from '../../src/map/to-feed-model.js';
import { slugify } from '../../src/model/slug.js';
import { visibleSiblings } from '../../src/model/translations.js';
import type { Article } from '../../src/model/types.js';
import { selectArticles } from '../../src/model/feed-query.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { toUri } from '../../src/render/ninjs.js';
import { ninjsProblems } from '../helpers/ninjs-rules.js';
import { loadSample, SAMPLE_DIR, SAMPLE_NOW, sampleRecords } from '../helpers/sample.js';
import { listen } from '../helpers/server.js';

type Ninjs = Record<string, any>;


/** What a partner reading the ninjs item should find, field by field, from the record and the article the server loaded. */
function expectItemMatches(item: Ninjs, article: Article, record: Record<string, unknown>, snapshot: Snapshot): void {
  const { site } = snapshot;
  expect(item.uri).toBe(`tag:${site.idAuthority}:${record.id}`);
  expect(item.type).toBe('text');
  expect(item.headlines).toEqual([{ role: 'main', contentType: 'text/plain', value: record.headline }]);
  expect(item.descriptions).toEqual(record.summary === undefined ? undefined : [{ role: 'summary', contentType: 'text/plain', value: record.summary }]);
  expect(item.bodies).toEqual([{ role: 'main', contentType: 'text/html', value: article.body }]);
  expect(item.language).toBe(record.language ?? site.language);
  expect(Date.parse(item.firstCreated)).toBe(article.published.getTime());
  expect(Date.parse(item.versionCreated)).toBe((record.updated === undefined ? article.published : article.updated).getTime());
  expect(item.copyrightNotice).toBe(site.copyright);
  expect(item.renditions).toEqual([{ name: 'web', href: record.url, contentType: 'text/html' }]);
  // The credit line as printed, and each person with their role.
  expect(item.by).toBe(article.credits.length === 0 ? undefined : formatCreditLine(article.credits, article.language));
  expect((item.people ?? []).map((p: Ninjs) => [p.name, p.rel])).toEqual(article.credits.map((c) => [c.name, c.role]));
  if (Array.isArray(record.credits)) expect((item.people ?? []).map((p: Ninjs) => p.name)).toEqual(record.credits.map((c: { name: string }) => c.name));
  const section = record.section === undefined ? [] : [['section', record.section]];
  expect((item.subjects ?? []).map((s: Ninjs) => [s.rel, s.name])).toEqual([...section, ...((record.tags as string[] | undefined) ?? []).map((t) => ['tag', t])]);
  for (const s of item.subjects ?? []) expect(s.literal).toBe(slugify(s.name));
  const associations: Ninjs[] = item.associations ?? [];
  const images = associations.filter((a) => a.type === 'picture');
  const recordImages = (record.images as Record<string, unknown>[] | undefined) ?? [];
  expect(images).toHaveLength(recordImages.length);
  recordImages.forEach((image, i) => {
    const found = images[i] as Ninjs;
    expect(found.uri).toBe(image.url);
    expect(found.by).toBe(image.credit);
    expect(found.descriptions?.find((d: Ninjs) => d.role === 'caption')?.value).toBe(image.caption);
    expect(found.renditions[0]).toEqual({
      name: 'original',
      href: image.url,
      contentType: image.type ?? article.images[i]?.type,
      ...(image.width === undefined ? {} : { width: image.width }),
      ...(image.height === undefined ? {} : { height: image.height }),
      ...(image.bytes === undefined ? {} : { sizeInBytes: image.bytes }),
    });
  });
  const translations = associations.filter((a) => a.rel === 'translation');
  expect(translations.map((t) => [t.language, t.renditions[0].href, t.headlines[0].value])).toEqual(
    visibleSiblings(snapshot.translations, article, SAMPLE_NOW).map((l) => [l.language, l.url, l.headline]),
  );
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  const harness = useBackend(backend);
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  /** The app at `now` over the sample data folder (read where it is) or over these records, on this backend. */
  async function serve(data: 'sample' | readonly Record<string, unknown>[], now: Date) {
    const opened = data === 'sample' ? await harness.openAt(SAMPLE_DIR) : await harness.open(data);
    closers.push(opened.close);
    const server = await listen(createApp({ store: opened.store, clock: () => now }));
    closers.push(server.close);
    return (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
  }

  describe('IPTC ninjs 3.1', () => {
    it('/ninjs.json holds the main feed as a composite whose items match their records field by field, and follows the ninjs rules', async () => {
      const snapshot = loadSample();
      const get = await serve('sample', SAMPLE_NOW);
      const res = await get('/ninjs.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = await res.text();
      expect(ninjsProblems(body)).toEqual([]);
      const doc = JSON.parse(body) as Ninjs;
      expect(doc.standard).toEqual({ name: 'ninjs', version: '3.1', schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#' });
      expect(doc.type).toBe('composite');
      const expected = selectArticles(snapshot.articles, { limit: snapshot.site.feedSize }, SAMPLE_NOW);
      expect(doc.associations.map((a: Ninjs) => a.uri)).toEqual(expected.map((a) => `tag:${snapshot.site.idAuthority}:${a.id}`));
      const records = sampleRecords();
      for (const item of doc.associations as Ninjs[]) {
        expect(item.rel).toBe('item');
        const article = expected.find((a) => item.uri.endsWith(`:${a.id}`)) as Article;
        expectItemMatches(item, article, records.get(article.id) as Record<string, unknown>, snapshot);
      }
    });

    it('each visible article is at /articles/{id}.ninjs.json, with its translations; drafts, embargoed and unknown ids are 404', async () => {
      const snapshot = loadSample();
      const get = await serve('sample', SAMPLE_NOW);
      const records = sampleRecords();
      for (const article of selectArticles(snapshot.articles, { limit: 100 }, SAMPLE_NOW)) {
        const res = await get(`/articles/${article.id}.ninjs.json`);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(ninjsProblems(body)).toEqual([]);
        expectItemMatches(JSON.parse(body) as Ninjs, article, records.get(article.id) as Record<string, unknown>, snapshot);
      }
      const en = JSON.parse(await (await get('/articles/2020-07-night-school-en.ninjs.json')).text()) as Ninjs;
      expect(en.associations.filter((a: Ninjs) => a.rel === 'translation').map((a: Ninjs) => [a.name, a.uri])).toEqual([
        ['translation-ko', 'tag:news.example.org,2019:2020-07-night-school-ko'],
        ['translation-zh-hans', 'tag:news.example.org,2019:2020-07-night-school-zh'],
      ]);
      for (const path of ['/articles/2020-05-draft-interview.ninjs.json', '/articles/2099-01-embargoed-report.ninjs.json', '/articles/nope.ninjs.json']) {
        const res = await get(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      }
      expect((await get('/articles/2020-06-fishing-season.json')).status).toBe(404);
      expect((await get('/articles/x%00.ninjs.json')).status).toBe(400);
    });

    it('filtered feeds, limits and cursors work as for the other formats, and bad requests are 4xx', async () => {
      const snapshot = loadSample();
      const get = await serve('sample', SAMPLE_NOW);
      const tag = JSON.parse(await (await get('/tags/education/ninjs.json')).text()) as Ninjs;
      const education = selectArticles(snapshot.articles, { limit: 100 }, SAMPLE_NOW).filter((a) => a.tags.some((t) => slugify(t) === 'education'));
      expect(education.map((a) => a.id)).toContain('2020-07-night-school-en');
      expect(tag.associations.map((a: Ninjs) => a.uri.split(':').pop())).toEqual(education.map((a) => a.id));
      expect(tag.uri).toBe('tag:news.example.org,2019:feeds/tags/education');
      // Paging: the next page is a rendition named "next"; walking it visits every item once.
      const seen: string[] = [];
      let path: string | undefined = '/ninjs.json?limit=4';
      while (path !== undefined) {
        const body: string = await (await get(path)).text();
        expect(ninjsProblems(body)).toEqual([]);
        const page = JSON.parse(body) as Ninjs;
        seen.push(...page.associations.map((a: Ninjs) => a.uri));
        const next: string | undefined = page.renditions.find((r: Ninjs) => r.name === 'next')?.href;
        path = next?.replace(snapshot.site.baseUrl, '');
      }
      expect(seen).toEqual(selectArticles(snapshot.articles, { limit: 100 }, SAMPLE_NOW).map((a) => `tag:news.example.org,2019:${a.id}`));
      expect((await get('/tags/no-such-tag/ninjs.json')).status).toBe(404);
      expect((await get('/ninjs.json?limit=0')).status).toBe(400);
      expect((await get('/ninjs.json?before=%%%')).status).toBe(400);
    });

    it('answers conditional GET with 304, per document', async () => {
      const get = await serve('sample', SAMPLE_NOW);
      for (const path of ['/ninjs.json', '/articles/2019-10-border-phone-inspections.ninjs.json']) {
        const first = await get(path, { 'Accept-Encoding': 'gzip' });
        expect(first.headers.get('content-encoding')).toBe('gzip');
        const etag = String(first.headers.get('etag'));
        expect((await get(path, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag })).status).toBe(304);
      }
    });

    it('an article without summary, credits, section, tags or images is still a valid, minimal item', async () => {
      const bare = [makeRecord({ id: 'bare', summary: undefined, credits: [], section: undefined, tags: [], images: [] })];
      const snapshot = makeSnapshot(bare);
      const get = await serve(bare, new Date('2030-01-01T00:00:00Z'));
      const body = await (await get('/articles/bare.ninjs.json')).text();
      expect(ninjsProblems(body)).toEqual([]);
      const item = JSON.parse(body) as Ninjs;
      expect(Object.keys(item)).toEqual(['uri', 'standard', 'type', 'representationType', 'firstCreated', 'versionCreated', 'pubStatus', 'copyrightHolder', 'copyrightNotice', 'language', 'headlines', 'bodies', 'renditions']);
    });

    it('writes URLs as RFC 3986 URIs, as ninjs requires (found by the property tests: "#]]>" in a record URL)', () => {
      expect(toUri('https://news.example.org/a#]]>')).toBe('https://news.example.org/a#%5D%5D%3E');
      expect(toUri('https://news.example.org/a|b^c?x=%zz&y=[1]')).toBe('https://news.example.org/a%7Cb%5Ec?x=%25zz&y=%5B1%5D');
      expect(toUri('https://user:pw@[::1]:8080/한국어')).toBe('https://user:pw@[::1]:8080/%ED%95%9C%EA%B5%AD%EC%96%B4');
      expect(toUri('https://news.example.org/plain/path.html?a=1&b=2#top')).toBe('https://news.example.org/plain/path.html?a=1&b=2#top');
      expect(ninjsProblems(JSON.stringify({ uri: 'tag:x,2000:y', renditions: [{ name: 'web', href: toUri('https://news.example.org/a#]]>') }] }))).toEqual([]);
    });

    it('the rules check has teeth', () => {
      expect(ninjsProblems(JSON.stringify({ uri: 'tag:x,2000:y', link: 'https://x' }))).not.toEqual([]);
      expect(ninjsProblems(JSON.stringify({ uri: 'tag:x,2000:y', associations: [{ uri: 'tag:x,2000:z' }] }))).not.toEqual([]);
      expect(ninjsProblems(JSON.stringify({ type: 'text' }))).not.toEqual([]);
    });
  });
});
