import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createWirefeed, WirefeedOptionError, type Wirefeed } from '../../src/index.js';
import { parseXml } from '../helpers/parse.js';
import { SAMPLE_DIR } from '../helpers/sample.js';

/** wirefeed mounted under /feeds in a newsroom's own Express app, as createWirefeed's users mount it. */
const SITE_URL = 'https://news.example.org/feeds';
let wirefeed: Wirefeed;
let server: Server;
let base: string;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'wirefeed-mount-'));
  wirefeed = await createWirefeed({ dataDir: SAMPLE_DIR, cacheDir, siteUrl: SITE_URL, watch: false, rescanInterval: 0, logLevel: 'silent' });
  await wirefeed.ready;
  const app = express();
  app.get('/', (_req, res) => void res.type('text/plain').send('the newsroom home page'));
  // A header the host's own middleware sets on everything, wirefeed's responses included.
  app.use((_req, res, next) => void (res.setHeader('X-Newsroom', 'harbor-light'), next()));
  app.use('/feeds', wirefeed.router);
  app.use((_req, res) => void res.status(404).type('text/plain').send('host 404'));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await wirefeed?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Every root-relative href and src of a page: what a browser resolves against the host. */
function localLinks(page: string): string[] {
  return [...page.matchAll(/(?:href|src)="(\/[^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

describe('wirefeed mounted under /feeds', () => {
  it('serves /feeds/rss.xml with its self link and paging links under the mount, and leaves the host app its own paths', async () => {
    const res = await fetch(`${base}/feeds/rss.xml?limit=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const links = parseXml(await res.text()).rss.channel['atom:link'] as { '@_rel': string; '@_href': string }[];
    expect(links.find((l) => l['@_rel'] === 'self')?.['@_href']).toBe(`${SITE_URL}/rss.xml?limit=2`);
    const next = links.find((l) => l['@_rel'] === 'next')?.['@_href'] ?? '';
    expect(next.startsWith(`${SITE_URL}/rss.xml?`)).toBe(true);
    // The next page answers at the path its link names, on the mount.
    expect((await fetch(`${base}${new URL(next).pathname}${new URL(next).search}`)).status).toBe(200);
    expect(await (await fetch(`${base}/`)).text()).toBe('the newsroom home page');
    expect(await (await fetch(`${base}/rss.xml`)).text()).toBe('host 404');
  });

  it('links every page, stylesheet and script of the home page under /feeds, and each link answers', async () => {
    const page = await (await fetch(`${base}/feeds/`)).text();
    const links = localLinks(page);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((l) => !l.startsWith('/feeds/'))).toEqual([]);
    for (const link of new Set(links.map((l) => l.split('#')[0] ?? ''))) {
      const res = await fetch(`${base}${link}`, { redirect: 'manual' });
      expect(res.status, link).toBe(200);
    }
    // The snippet partners copy (shown escaped, as text) loads the widget from the mount.
    expect(page).toContain(`&lt;script src=&quot;${SITE_URL}/embed.js&quot;`);
  });

  it('keeps a section page, its breadcrumbs and its redirect under /feeds', async () => {
    const redirect = await fetch(`${base}/feeds/sections/korea`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/feeds/sections/korea/');
    const page = await (await fetch(`${base}/feeds/sections/korea/`)).text();
    expect(page).toContain('<a href="/feeds/">All feeds</a>');
    expect(page).toContain(`<link rel="canonical" href="${SITE_URL}/sections/korea/">`);
    expect(localLinks(page).filter((l) => !l.startsWith('/feeds/'))).toEqual([]);
  });

  it('serves the widget frame under /feeds, for the feed path as shown on the home page or with the mount', async () => {
    for (const feed of ['/sections/korea/feed.json', '/feeds/sections/korea/feed.json']) {
      const res = await fetch(`${base}/feeds/embed?feed=${encodeURIComponent(feed)}&limit=3`);
      expect(res.status, feed).toBe(200);
      const page = await res.text();
      expect(page).toContain('<a href="/feeds/sections/korea/" target="_blank"');
      expect(localLinks(page).filter((l) => !l.startsWith('/feeds/assets/'))).toEqual(['/feeds/sections/korea/']);
      expect(page.match(/class="wf-item"/g)).toHaveLength(3);
    }
    const script = await fetch(`${base}/feeds/embed.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers repeat requests (replayed from the fast path) with the same bytes, the host’s headers and 304 when unchanged', async () => {
    for (const encoding of ['gzip', 'identity']) {
      const first = await fetch(`${base}/feeds/atom.xml`, { headers: { 'accept-encoding': encoding } });
      const firstBody = Buffer.from(await first.arrayBuffer());
      for (let i = 0; i < 3; i++) {
        const again = await fetch(`${base}/feeds/atom.xml`, { headers: { 'accept-encoding': encoding } });
        expect(again.status).toBe(200);
        expect(again.headers.get('x-newsroom')).toBe('harbor-light');
        expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
        expect(again.headers.get('content-encoding')).toBe(first.headers.get('content-encoding'));
        expect(Buffer.from(await again.arrayBuffer()).equals(firstBody)).toBe(true);
      }
      const unchanged = await fetch(`${base}/feeds/atom.xml`, { headers: { 'accept-encoding': encoding, 'if-none-match': first.headers.get('etag') ?? '' } });
      expect(unchanged.status).toBe(304);
      expect(unchanged.headers.get('x-newsroom')).toBe('harbor-light');
    }
    // The same path at the host's root is the host's, never a replay of wirefeed's.
    expect(await (await fetch(`${base}/atom.xml`)).text()).toBe('host 404');
  });

  it('answers an unknown path under the mount itself, with a 404 message', async () => {
    const res = await fetch(`${base}/feeds/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('the feeds are at');
  });
});

describe('wirefeed mounted elsewhere than its siteUrl says', () => {
  it('logs one warning naming both paths, so broken links are not a silent surprise', async () => {
    const lines: string[] = [];
    const logDestination = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    const misplaced = await createWirefeed({ dataDir: SAMPLE_DIR, cacheDir, siteUrl: SITE_URL, watch: false, rescanInterval: 0, logLevel: 'warn', logDestination });
    await misplaced.ready;
    const app = express().use('/news', misplaced.router);
    const other = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const at = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      for (let i = 0; i < 3; i++) expect((await fetch(`${at}/news/rss.xml`)).status).toBe(200);
      const warnings = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.level === 'warn');
      expect(warnings.map((w) => w.msg)).toEqual([`wirefeed: mounted at "/news" but siteUrl ${SITE_URL} has the path "/feeds": feed and page links point there; mount the router there or change siteUrl`]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
      await misplaced.close();
    }
  });
});

describe('createWirefeed options', () => {
  it('take the ingest API settings the server takes: a mounted API with REQUIRE_IF_MATCH answers 428 to a PUT without If-Match', async () => {
    // A copy of the sample data: a write that got through by mistake must not touch the repository's.
    const dataDir = join(mkdtempSync(join(tmpdir(), 'wirefeed-mount-api-')), 'data');
    cpSync(SAMPLE_DIR, dataDir, { recursive: true, filter: (source) => !source.includes('.wirefeed-cache') });
    const mounted = await createWirefeed({ dataDir, siteUrl: SITE_URL, watch: false, rescanInterval: 0, logLevel: 'silent', ingestToken: 'a-long-enough-test-token', requireIfMatch: true });
    await mounted.ready;
    const host = express().use('/feeds', mounted.router);
    const server = await new Promise<Server>((resolve) => {
      const s = host.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const at = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feeds/api/articles/2020-06-fishing-season`;
      const headers = { authorization: 'Bearer a-long-enough-test-token', 'content-type': 'application/json' };
      const current = await fetch(at, { headers });
      expect(current.status).toBe(200);
      expect((await fetch(at, { method: 'PUT', headers, body: JSON.stringify(await current.json()) })).status).toBe(428);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await mounted.close();
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('refuse a keys file that cannot be used, naming it, before anything opens', async () => {
    await expect(createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: SITE_URL, keysFile: '/nonexistent/keys.json', logLevel: 'silent' })).rejects.toThrow(/keys\.json/);
  });

  it('refuses a bad option as loadConfig refuses its variable, naming the option', async () => {
    const error = await createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: SITE_URL, feedMaxAge: -5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(WirefeedOptionError);
    expect((error as WirefeedOptionError).variable).toBe('FEED_MAX_AGE');
    expect((error as Error).message).toBe('createWirefeed: option feedMaxAge must be a whole number from 0 to 31536000, got "-5"');
    await expect(createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: 'ftp://news.example.org/feeds' })).rejects.toThrow(/option siteUrl must be an absolute http\(s\) URL/);
  });

  it('refuses unknown options and the listener’s own settings instead of ignoring them', async () => {
    await expect(createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: SITE_URL, feedMaxAg: 5 } as never)).rejects.toThrow(/option feedMaxAg is not a wirefeed option/);
    await expect(createWirefeed({ dataDir: SAMPLE_DIR, siteUrl: SITE_URL, port: 8080 } as never)).rejects.toThrow(/option port belongs to the server that listens/);
  });

  it('needs the public URL of the mount when site.json has none', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wirefeed-mount-nosite-'));
    // The sample site.json, which has no baseUrl.
    cpSync(join(SAMPLE_DIR, 'site.json'), join(dataDir, 'site.json'));
    mkdirSync(join(dataDir, 'articles'));
    try {
      await expect(createWirefeed({ dataDir })).rejects.toThrow(/option siteUrl is required/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
