import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { atomSchemaErrors } from '../helpers/atom-schema.js';
import { makeRecord } from '../helpers/builders.js';
import { parseXml } from '../helpers/parse.js';
import { listen } from '../helpers/server.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** A group the sample data does not have: an Uyghur original (right to left), English and an embargoed Korean translation. */
function records(): Record<string, unknown>[] {
  return [
    makeRecord({ id: 'dam-ug', language: 'ug', headline: 'تۇغان قۇرۇلۇشى', url: 'https://news.example.org/uyghur/dam.html', published: '2024-05-01T00:00:00Z' }),
    makeRecord({ id: 'dam-en', language: 'en', headline: 'Dam <work> resumes', url: 'https://news.example.org/english/dam.html', translationOf: 'dam-ug', published: '2024-05-01T06:00:00Z' }),
    makeRecord({ id: 'dam-ko', language: 'ko', headline: '댐 공사 재개', url: 'https://news.example.org/korean/dam.html', translationOf: 'dam-ug', published: '2024-07-01T00:00:00Z' }),
    makeRecord({ id: 'alone', headline: 'Not translated', published: '2024-05-02T00:00:00Z' }),
  ];
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
    return (path: string) => fetch(server.url + path).then((r) => r.text());
  }

  describe('translations in every output', () => {
    it('Atom: one rel="alternate" link with hreflang per visible sibling, valid against RFC 4287', async () => {
      const get = await serve(() => new Date('2024-06-01T00:00:00Z'));
      const xml = await get('/atom.xml');
      expect(atomSchemaErrors(xml)).toEqual([]);
      const entries = parseXml(xml).feed.entry as Record<string, any>[];
      const links = (id: string) =>
        (entries.find((e) => String(e.id).endsWith(`:${id}`))?.link as Record<string, string>[]).filter((l) => l['@_hreflang'] !== undefined).map((l) => [l['@_rel'], l['@_hreflang'], l['@_href'], l['@_title']]);
      expect(links('dam-en')).toEqual([['alternate', 'ug', 'https://news.example.org/uyghur/dam.html', 'تۇغان قۇرۇلۇشى']]);
      expect(links('dam-ug')).toEqual([['alternate', 'en', 'https://news.example.org/english/dam.html', 'Dam <work> resumes']]);
      expect(links('alone')).toEqual([]);
    });

    it('RSS: atom:link with hreflang per sibling', async () => {
      const get = await serve(() => new Date('2024-06-01T00:00:00Z'));
      const items = parseXml(await get('/rss.xml')).rss.channel.item as Record<string, any>[];
      const en = items.find((i) => String(i.link) === 'https://news.example.org/english/dam.html');
      expect((en?.['atom:link'] as Record<string, string>[]).map((l) => [l['@_rel'], l['@_hreflang'], l['@_href']])).toEqual([['alternate', 'ug', 'https://news.example.org/uyghur/dam.html']]);
    });

    it('JSON Feed: _wirefeed.translations with language, url and title', async () => {
      const get = await serve(() => new Date('2024-06-01T00:00:00Z'));
      const feed = JSON.parse(await get('/feed.json')) as { items: { id: string; _wirefeed: { translations?: unknown } }[] };
      expect(feed.items.find((i) => i.id.endsWith(':dam-ug'))?._wirefeed.translations).toEqual([{ language: 'en', url: 'https://news.example.org/english/dam.html', title: 'Dam <work> resumes' }]);
      expect(feed.items.find((i) => i.id.endsWith(':alone'))?._wirefeed.translations).toBeUndefined();
    });

    it('an embargoed translation is linked from no feed or page until its time, and from the cached feeds once it is released', async () => {
      let now = new Date('2024-06-01T00:00:00Z');
      const get = await serve(() => now);
      const before = [await get('/atom.xml'), await get('/rss.xml'), await get('/feed.json'), await get('/'), await get('/sections/korea/')];
      for (const body of before) expect(body).not.toContain('korean/dam.html');
      now = new Date('2024-07-01T00:00:01Z');
      const json = JSON.parse(await get('/feed.json')) as { items: { id: string; _wirefeed: { translations?: { language: string }[] } }[] };
      expect(json.items.find((i) => i.id.endsWith(':dam-en'))?._wirefeed.translations?.map((t) => t.language)).toEqual(['ug', 'ko']);
      expect(await get('/atom.xml')).toContain('hreflang="ko" href="https://news.example.org/korean/dam.html"');
    });

    it('a feed that holds only a sibling (English) gets the link of a released Korean translation on time, from cache and fast path alike', async () => {
      let now = new Date('2024-06-01T00:00:00Z');
      const get = await serve(() => now);
      const langs = async () => {
        const feed = JSON.parse(await get('/languages/en/feed.json')) as { items: { id: string; _wirefeed: { translations?: { language: string }[] } }[] };
        return feed.items.find((i) => i.id.endsWith(':dam-en'))?._wirefeed.translations?.map((t) => t.language);
      };
      expect(await langs()).toEqual(['ug']);
      expect(await langs()).toEqual(['ug']); // a repeat: served from the cache (or the fast path)
      now = new Date('2024-06-30T23:59:00Z');
      expect(await langs()).toEqual(['ug']);
      now = new Date('2024-07-01T00:00:00Z');
      expect(await langs()).toEqual(['ug', 'ko']);
    });

    it('no cache keeps a feed past the release of a translation of one of its items', async () => {
      const now = new Date('2024-06-30T23:59:00Z');
      const app = createApp({ store: await open(records()), clock: () => now });
      const server = await listen(app);
      closers.push(server.close);
      for (const path of ['/languages/en/feed.json', '/languages/en/ninjs.json', '/articles/dam-en.ninjs.json']) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.headers.get('cache-control'), path).toBe('public, max-age=60, stale-while-revalidate=0, stale-if-error=86400');
      }
    });

    it('pages: "Also in" names each translation in its own language and direction', async () => {
      const get = await serve(() => new Date('2024-06-01T00:00:00Z'));
      for (const page of [await get('/'), await get('/sections/korea/')]) {
        expect(page).toContain(
          '<p class="translations" lang="en" dir="ltr">Also in <a href="https://news.example.org/uyghur/dam.html" hreflang="ug" lang="ug" dir="rtl" title="تۇغان قۇرۇلۇشى">ئۇيغۇرچە</a></p>',
        );
        expect(page).toContain('hreflang="en" lang="en" dir="ltr" title="Dam &lt;work&gt; resumes">English</a>');
      }
    });
  });
});
