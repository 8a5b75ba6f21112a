import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { escapeMarkup } from '../../src/model/escape.js';
import { CORS_ALLOWED_HEADERS } from '../../src/http/guards.js';
import { PAGE_CSP } from '../../src/http/pages/respond.js';
import { listFeeds } from '../../src/model/feed-filter.js';
import { isVisible } from '../../src/model/feed-query.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';

const NOW = new Date('2024-06-01T00:00:00Z');
const HOSTILE = '<img src=x onerror=alert(1)>';

/** A small newsroom: two sections, an RTL story, a draft, an embargoed story and a hostile headline. */
function records(): Record<string, unknown>[] {
  return [
    makeRecord({ id: 'korea-one', headline: 'Korea story one', section: 'Korea', tags: ['Test tag', 'R&D <"lab">'], published: '2024-05-01T10:00:00+09:00' }),
    makeRecord({ id: 'korea-two', headline: 'Korea story two', section: 'Korea', published: '2024-05-02T10:00:00+09:00', images: [] }),
    makeRecord({
      id: 'bazaar-ug',
      headline: 'بازار قايتا ئېچىلدى',
      language: 'ug',
      section: 'Xinjiang',
      tags: ['بازار'],
      timezone: 'Asia/Urumqi',
      published: '2024-05-03T12:00:00',
      credits: [{ name: 'Adil Tursun', role: 'reporter', organization: 'the Uyghur Service' }],
    }),
    makeRecord({ id: 'hostile', headline: HOSTILE, summary: '"><script>alert(2)</script>', section: 'Business', published: '2024-05-04T00:00:00Z' }),
    makeRecord({ id: 'draft-story', headline: 'Draft never shown', section: 'Drafts', status: 'draft' }),
    makeRecord({ id: 'embargoed', headline: 'Embargoed until 2099', section: 'Future', published: '2099-01-01T00:00:00Z' }),
  ];
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function serve(): Promise<string> {
  const store = createSnapshotStore(makeSnapshot(records()));
  const server = await listen(createApp({ store, clock: () => NOW, log: () => {} }));
  closeServer = server.close;
  return server.url;
}

describe('home page', () => {
  it('lists every feed with each reader format, links the main feeds for autodiscovery, and sends a strict CSP', async () => {
    const url = await serve();
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).toContain("default-src 'none'");
    const body = await res.text();
    for (const [type, file] of [['application/rss+xml', 'rss.xml'], ['application/atom+xml', 'atom.xml'], ['application/feed+json', 'feed.json']] as const) {
      expect(body).toMatch(new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}" title="[^"]+" href="https://feeds\\.example\\.org/${file.replace('.', '\\.')}">`));
    }
    const snapshot = makeSnapshot(records());
    const feeds = listFeeds(snapshot.articles.filter((a) => isVisible(a, NOW)));
    expect(feeds.length).toBeGreaterThan(8);
    for (const feed of feeds) {
      for (const file of FEED_FORMATS.map((format) => FORMATS[format].fileName)) expect(body).toContain(`href="${feed.path}/${file}"`);
    }
    expect(body).not.toContain('Draft never shown');
    expect(body).not.toContain('/sections/future/');
    // No inline script or style: every <script> has a same-origin src, and no style attributes.
    expect(body.match(/<script\b[^>]*>/g)).toEqual(['<script src="/assets/copy.js?v=' + body.match(/copy\.js\?v=([\w-]+)/)?.[1] + '" defer>']);
    expect(body).not.toMatch(/<style|<[a-z][^>]*\s(?:style|on[a-z]+)=/i);
    for (const landmark of ['<header', '<nav aria-label="Site"', '<main id="main"', '<footer']) expect(body).toContain(landmark);
  });

  it('still explains and lists the main feed when nothing is published yet', async () => {
    const store = createSnapshotStore(makeSnapshot([makeRecord({ id: 'later', published: '2099-01-01T00:00:00Z' })]));
    const server = await listen(createApp({ store, clock: () => NOW, log: () => {} }));
    closeServer = server.close;
    const body = await (await fetch(`${server.url}/`)).text();
    expect(body).toContain('What is a feed?');
    expect(body).toContain('href="/rss.xml"');
    expect(body).toContain('No stories are published yet.');
    expect(body).not.toContain('id="feeds-section"');
    const opml = await (await fetch(`${server.url}/feeds.opml`)).text();
    expect(XMLValidator.validate(opml)).toBe(true);
    expect(opml.match(/<outline /g)).toHaveLength(1);
  });

  it('escapes a hostile headline and summary', async () => {
    const url = await serve();
    const body = await (await fetch(`${url}/`)).text();
    expect(body).not.toContain(HOSTILE);
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain('<script>alert(2)');
  });

  it('answers a conditional GET with 304', async () => {
    const url = await serve();
    const first = await fetch(`${url}/`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${url}/`, { headers: { 'If-None-Match': etag ?? '' } });
    expect(again.status).toBe(304);
  });
});

describe('feed pages', () => {
  it('shows a section feed at its folder URL with only its stories, in feed order', async () => {
    const url = await serve();
    const res = await fetch(`${url}/sections/korea/`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.indexOf('Korea story two')).toBeGreaterThan(0);
    expect(body.indexOf('Korea story two')).toBeLessThan(body.indexOf('Korea story one'));
    expect(body).not.toContain('بازار قايتا');
    expect(body).toContain('Reported by Reporter One for the Korean Service. Translated by Translator Two. Written in English by Writer Three.');
    expect(body).toContain('<img src="https://media.example.org/test.jpg" alt="Alt text" width="800" height="600"');
    expect(body).toContain('<span class="caption">A caption.</span> <span class="photo-credit">Photo: Agency</span>');
    expect(body).toContain('<link rel="alternate" type="application/atom+xml" title="Test Newsroom — Section: Korea (Atom)" href="https://feeds.example.org/sections/korea/atom.xml">');
  });

  it('marks a right-to-left story with lang and dir, and dates it in its own language and zone', async () => {
    const url = await serve();
    const body = await (await fetch(`${url}/languages/ug/`)).text();
    expect(body).toMatch(/<article class="story" lang="ug" dir="rtl"/);
    expect(body).toContain('<time datetime="2024-05-03T12:00:00.000+06:00">');
    const tag = await fetch(`${url}/tags/${encodeURIComponent('بازار')}/`);
    expect(tag.status).toBe(200);
  });

  it('redirects the folder without its slash, and answers an unknown, draft-only or embargoed feed with a 404 page', async () => {
    const url = await serve();
    const redirect = await fetch(`${url}/authors/reporter-one`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/authors/reporter-one/');
    expect((await fetch(`${url}/authors/reporter-one/`)).status).toBe(200);
    for (const path of ['/sections/nowhere/', '/sections/drafts/', '/sections/future/']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(await res.text()).toContain('<h1>Feed not found</h1>');
    }
  });

  it('is linked from each feed in every format', async () => {
    const url = await serve();
    const rss = await (await fetch(`${url}/sections/korea/rss.xml`)).text();
    expect(rss).toMatch(/<atom:link rel="alternate" href="https:\/\/feeds\.example\.org\/sections\/korea\/" type="text\/html"\/>/);
    const atom = await (await fetch(`${url}/atom.xml`)).text();
    expect(atom).toMatch(/<link rel="alternate" href="https:\/\/feeds\.example\.org\/" type="text\/html"/);
  });
});

describe('OPML', () => {
  it('lists every feed once, grouped by kind, as valid OPML 2.0', async () => {
    const url = await serve();
    const res = await fetch(`${url}/feeds.opml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      opml: { version: string; head: { title: string }; body: { outline: ({ text: string; xmlUrl?: string; outline?: { xmlUrl: string; htmlUrl: string }[] | { xmlUrl: string; htmlUrl: string } })[] } };
    };
    expect(doc.opml.version).toBe('2.0');
    const top = doc.opml.body.outline;
    expect(top[0]?.xmlUrl).toBe('https://feeds.example.org/rss.xml');
    expect(top.slice(1).map((o) => o.text)).toEqual(['Sections', 'Languages', 'Authors', 'Tags']);
    const xmlUrls = [top[0]?.xmlUrl, ...top.slice(1).flatMap((group) => [group.outline ?? []].flat().map((o) => o.xmlUrl))];
    const feeds = listFeeds(makeSnapshot(records()).articles.filter((a) => isVisible(a, NOW)));
    expect(xmlUrls.sort()).toEqual(feeds.map((f) => `https://feeds.example.org${f.path}/rss.xml`).sort());
    expect(xml).toContain('htmlUrl="https://feeds.example.org/languages/ug/"');
    expect(xml).not.toContain(HOSTILE);
    expect(xml).toContain('text="R&amp;D &lt;&quot;lab&quot;&gt;"');
  });
});

describe('embed frame', () => {
  it('renders the newest N headlines of one of our feeds, frameable from anywhere, with no script', async () => {
    const url = await serve();
    const res = await fetch(`${url}/embed?feed=/sections/korea/feed.json&limit=1`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors *');
    expect(csp).toContain("script-src 'none'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    const body = await res.text();
    expect(body.match(/class="wf-item"/g)).toHaveLength(1);
    expect(body).toContain('Korea story two');
    expect(body).not.toContain('Korea story one');
    expect(body).not.toMatch(/<script/);
  });

  it('accepts every format path of a feed and a percent-encoded slug', async () => {
    const url = await serve();
    for (const feed of ['/feed.json', '/rss.xml', '/sections/korea/atom.xml', `/tags/${encodeURIComponent('بازار')}/feed.json`, '/tags/بازار/feed.json']) {
      expect((await fetch(`${url}/embed?feed=${encodeURIComponent(feed)}`)).status, feed).toBe(200);
    }
  });

  it.each([
    ['feed=https://evil.example/feed.json', 'one of our feeds'],
    ['feed=/sections/nowhere/feed.json', 'no feed at'],
    ['feed=/sections/drafts/feed.json', 'no feed at'],
    ['feed=/healthz', 'one of our feeds'],
    ['limit=5', '"feed" is required'],
    ['feed=/feed.json&limit=0', '"limit" must be'],
    ['feed=/feed.json&limit=21', '"limit" must be'],
    ['feed=/feed.json&limit=abc', '"limit" must be'],
    ['feed=/feed.json&feed=/rss.xml', '"feed" is required once'],
    ['feed=/feed.json&color=red', 'unknown query parameter'],
  ])('refuses ?%s with 400', async (query, message) => {
    const url = await serve();
    const res = await fetch(`${url}/embed?${query}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(escapeMarkup(message));
  });
});

describe('CORS and static files', () => {
  it('lets any origin read the JSON feeds and the widget, and answers the preflight', async () => {
    const url = await serve();
    for (const path of ['/feed.json', '/sections/korea/feed.json', '/embed.js', '/assets/embed.css']) {
      const res = await fetch(`${url}${path}`, { headers: { Origin: 'https://partner.example' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const preflight = await fetch(`${url}/sections/korea/feed.json`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://partner.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(CORS_ALLOWED_HEADERS);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('does not open the pages for people to other origins', async () => {
    const url = await serve();
    const res = await fetch(`${url}/`, { headers: { Origin: 'https://partner.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the stylesheet and scripts with their types, validators and long caching when versioned', async () => {
    const url = await serve();
    const home = await (await fetch(`${url}/`)).text();
    const cssPath = home.match(/href="(\/assets\/site\.css\?v=[\w-]+)"/)?.[1];
    expect(cssPath).toBeDefined();
    const css = await fetch(`${url}${cssPath}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toContain('immutable');
    const etag = css.headers.get('etag') ?? '';
    expect((await fetch(`${url}${cssPath}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const widget = await fetch(`${url}/embed.js`);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(widget.headers.get('cache-control')).toBe('public, max-age=3600');
    // The README promises a small script: keep it under 8 KB uncompressed.
    expect((await widget.arrayBuffer()).byteLength).toBeLessThan(8 * 1024);
    expect((await fetch(`${url}/assets/nope.js`)).status).toBe(404);
  });
});
