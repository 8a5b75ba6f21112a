import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCreditLine } from '../../src/map/to-feed-model.js';
import { listFeeds } from '../../src/model/feed-filter.js';
import { isVisible, selectArticles } from '../../src/model/feed-query.js';
import { ARTIFACTS, FIXED_NOW, launchBrowser, SKIP_BROWSER_TESTS, startApp, type RunningBrowser, type RunningServer } from './harness.js';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';

// In-page code runs in Chromium. The project compiles without the DOM library (server code must not
// see browser globals), so the few the page callbacks use are declared loosely, in this module only.
declare const document: any, navigator: any, Node: any, getComputedStyle: (element: unknown) => any;
type Element = any;
type HTMLElement = any;
type HTMLImageElement = any;

/**
 * Every visible text element whose colour has a contrast below 4.5:1
 * against the background it sits on (the first opaque ancestor background).
 */
function lowContrastTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r ?? 0) + 0.7152 * ch(g ?? 0) + 0.0722 * ch(b ?? 0);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c[3] ?? 0) > 0.99) return c;
      }
      return [255, 255, 255];
    };
    const bad: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      const rect = el.getBoundingClientRect();
      if (!hasText || rect.width <= 1 || rect.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue;
      const fg = lum(parse(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent?.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
    }
    return bad;
  });
}

describe.skipIf(SKIP_BROWSER_TESTS)('pages in a real browser (headless Chromium)', () => {
  let chromium: RunningBrowser;
  let server: RunningServer;

  beforeAll(async () => {
    chromium = await launchBrowser();
    server = await startApp();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([chromium?.close(), server?.close()]);
  });

  async function open(path: string, options: { javaScriptEnabled?: boolean } = {}) {
    const context = await chromium.newContext({ ...options, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
    return { context, page, problems, response };
  }

  it('home page: lists every feed, exposes the autodiscovery links, copies a feed URL, and is accessible', async () => {
    const { context, page, problems } = await open('/');
    try {
      const alternates = await page.$$eval('head link[rel="alternate"]', (links) => links.map((l) => [l.getAttribute('type'), l.getAttribute('href'), l.getAttribute('title')]));
      expect(alternates).toEqual([
        ['application/rss+xml', `${server.url}/rss.xml`, 'Harbor Light News (RSS)'],
        ['application/atom+xml', `${server.url}/atom.xml`, 'Harbor Light News (Atom)'],
        ['application/feed+json', `${server.url}/feed.json`, 'Harbor Light News (JSON Feed)'],
      ]);

      const feeds = listFeeds(server.snapshot.articles.filter((a) => isVisible(a, FIXED_NOW)));
      const hrefs = new Set(await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href'))));
      for (const feed of feeds) {
        for (const file of FEED_FORMATS.map((format) => FORMATS[format].fileName)) expect(hrefs, `${feed.path}/${file}`).toContain(`${feed.path}/${file}`);
        if (feed.filter) expect(hrefs).toContain(`${feed.path}/`);
      }
      await expect(page.getByRole('link', { name: 'RSS feed: Korea', exact: true }).count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'JSON Feed feed: Uyghur (ug)', exact: true }).count()).resolves.toBe(1);

      await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: false });
      await page.screenshot({ path: join(ARTIFACTS, 'home-full.png'), fullPage: true });

      // The copy button: revealed by copy.js, one per feed, puts the absolute RSS URL on the clipboard.
      const buttons = page.locator('button.copy-url');
      await expect(buttons.count()).resolves.toBe(feeds.length);
      const korea = page.getByRole('button', { name: 'Copy feed URL (RSS): Korea', exact: true });
      await korea.click();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${server.url}/sections/korea/rss.xml`);
      await expect(page.getByRole('status').textContent()).resolves.toContain('/sections/korea/rss.xml');

      // Landmarks, one h1, alt on every image, contrast.
      for (const role of ['banner', 'navigation', 'main', 'contentinfo'] as const) await expect(page.getByRole(role).first().isVisible(), role).resolves.toBe(true);
      await expect(page.locator('h1').count()).resolves.toBe(1);
      await expect(page.locator('img:not([alt])').count()).resolves.toBe(0);
      expect(await lowContrastTexts(page)).toEqual([]);
      expect(problems, 'console errors and CSP violations').toEqual([]);

    } finally {
      await context.close();
    }
  });

  it('home page works without JavaScript: the feed links are there, the copy buttons stay hidden', async () => {
    const { context, page } = await open('/', { javaScriptEnabled: false });
    try {
      await expect(page.getByRole('link', { name: 'Atom feed: Korea', exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.locator('button.copy-url:visible').count()).resolves.toBe(0);
      await expect(page.locator('#latest + p + ol.stories > li').count()).resolves.toBeGreaterThan(5);
    } finally {
      await context.close();
    }
  });

  it('a section page shows its headlines in feed order, with credit lines, lead images, captions and photo credits', async () => {
    const { context, page, problems, response } = await open('/sections/korea/');
    try {
      expect(response?.status()).toBe(200);
      const expected = selectArticles(server.snapshot.articles, { limit: 50 }, FIXED_NOW).filter((a) => a.section === 'Korea');
      expect(expected.length).toBe(6); // three stories, and the night-school story in Korean, English and Chinese
      await expect(page.locator('article.story h2').allTextContents()).resolves.toEqual(expected.map((a) => a.headline));
      // The page agrees with the feed it previews.
      const feed = (await (await page.request.get(`${server.url}/sections/korea/feed.json`)).json()) as { items: { title: string }[] };
      expect(feed.items.map((i) => i.title)).toEqual(expected.map((a) => a.headline));
      await expect(page.locator('article.story .credit-line').allTextContents()).resolves.toEqual(expected.map((a) => formatCreditLine(a.credits, a.language)));
      const withImages = expected.filter((a) => a.images.length > 0);
      // Lead images load lazily: bring each into view (six stories reach below the fold) and wait for it.
      for (const img of await page.locator('article.story figure img').all()) {
        await img.scrollIntoViewIfNeeded();
        await img.evaluate((i: HTMLImageElement) => (i.complete ? undefined : new Promise((done) => i.addEventListener('load', done, { once: true }))));
      }
      const images = await page.$$eval('article.story figure img', (imgs) => imgs.map((i) => ({ src: i.getAttribute('src'), alt: i.getAttribute('alt'), loaded: (i as HTMLImageElement).naturalWidth > 0 })));
      expect(images).toEqual(withImages.map((a) => ({ src: a.images[0]?.url, alt: a.images[0]?.alt, loaded: true })));
      const captions = await page.locator('article.story figcaption').allTextContents();
      expect(captions).toEqual(withImages.map((a) => `${a.images[0]?.caption} Photo: ${a.images[0]?.credit}`));
      await expect(page.locator('article.story time').first().getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await lowContrastTexts(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a right-to-left story is laid out right to left inside the left-to-right page', async () => {
    const { context, page } = await open('/languages/ug/');
    try {
      const story = page.locator('article.story').first();
      await expect(story.getAttribute('lang')).resolves.toBe('ug');
      const layout = await story.evaluate((article) => {
        const heading = article.querySelector('h2 a') as HTMLElement;
        const range = document.createRange();
        range.selectNodeContents(heading);
        const text = range.getBoundingClientRect();
        const box = article.getBoundingClientRect();
        return { direction: getComputedStyle(article).direction, page: getComputedStyle(document.body).direction, textRight: text.right, textLeft: text.left, boxRight: box.right, boxLeft: box.left };
      });
      expect(layout.direction).toBe('rtl');
      expect(layout.page).toBe('ltr');
      // The headline hugs the right edge and leaves room on the left.
      expect(Math.abs(layout.boxRight - layout.textRight)).toBeLessThan(2);
      expect(layout.textLeft - layout.boxLeft).toBeGreaterThan(50);
      await page.screenshot({ path: join(ARTIFACTS, 'preview-ug.png') });
    } finally {
      await context.close();
    }
  });

  it('an unknown feed is a 404 page', async () => {
    const { context, page, response } = await open('/authors/nobody-at-all/');
    try {
      expect(response?.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('Feed not found');
    } finally {
      await context.close();
    }
  });
});
