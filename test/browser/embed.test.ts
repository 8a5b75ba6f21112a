import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCreditLine } from '../../src/map/to-feed-model.js';
import { selectArticles } from '../../src/model/feed-query.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { ARTIFACTS, FIXED_NOW, launchBrowser, SKIP_BROWSER_TESTS, startApp, startPartner, type RunningBrowser, type RunningServer } from './harness.js';

// In-page code runs in Chromium. The project compiles without the DOM library (server code must not
// see browser globals), so the few the page callbacks use are declared loosely, in this module only.
declare const document: any, navigator: any, Node: any, getComputedStyle: (element: unknown) => any;
type Element = any;
type HTMLElement = any;
type HTMLImageElement = any;

const HOSTILE = '<img src=x onerror=alert(1)>';
const DOCS_SCREENSHOT = join(import.meta.dirname, '..', '..', 'docs', 'embed-widget.png');

/** A partner's page: its own look, its own strict CSP (which names our origin), and the one line of HTML we give partners. */
function partnerPage(snippet: string, feedsOrigin: string, options: { hostileCss?: boolean } = {}) {
  const css = `body { font-family: Georgia, serif; background: #fbf7ee; color: #222; margin: 24px; }
.layout { display: flex; gap: 32px; align-items: flex-start; } .story { max-width: 460px; } aside { width: 430px; }
${options.hostileCss ? 'li, ol, a, h2, img, time, p { display: none !important; color: red !important; }' : ''}`;
  return {
    '/': {
      type: 'text/html; charset=utf-8',
      headers: {
        // Nothing inline anywhere: the widget must work under a partner's strict policy.
        'Content-Security-Policy': `default-src 'none'; script-src ${feedsOrigin}; connect-src ${feedsOrigin}; style-src 'self'; img-src https: http:; frame-src ${feedsOrigin}`,
      },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Partner Gazette</title><link rel="stylesheet" href="/partner.css"></head>
<body><h1>The Partner Gazette</h1><div class="layout"><div class="story"><p>Our own reporting sits here, and the newsroom's latest headlines sit beside it.</p></div>
<aside>${snippet}</aside></div></body></html>`,
    },
    '/partner.css': { type: 'text/css', body: css },
  };
}

describe.skipIf(SKIP_BROWSER_TESTS)('embedding on a partner site in a real browser (headless Chromium)', () => {
  let chromium: RunningBrowser;
  let server: RunningServer;
  let hostile: RunningServer;

  beforeAll(async () => {
    chromium = await launchBrowser();
    [server, hostile] = await Promise.all([
      startApp(),
      startApp((site) =>
        makeSnapshot(
          [
            makeRecord({
              id: 'hostile',
              headline: HOSTILE,
              published: '2020-01-02T00:00:00Z',
              credits: [{ name: '<b onmouseover=alert(3)>Eve</b>', role: 'reporter' }],
              images: [{ url: 'https://media.example.org/x.jpg', alt: '"><img src=y onerror=alert(2)>', thumbnail: 'https://media.example.org/x-thumb.jpg' }],
            }),
            makeRecord({ id: 'calm', headline: 'A calm headline', published: '2020-01-01T00:00:00Z' }),
          ],
          site,
        ),
      ),
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([chromium?.close(), server?.close(), hostile?.close()]);
  });

  /** Opens a partner page on its own origin; records dialogs, every request URL and our responses' headers. */
  async function visitPartner(files: ReturnType<typeof partnerPage>, options: { cookieFor?: string } = {}) {
    const partner = await startPartner(files);
    const context = await chromium.newContext();
    if (options.cookieFor) await context.addCookies([{ name: 'session', value: 'secret', url: options.cookieFor }]);
    const page = await context.newPage();
    const dialogs: string[] = [];
    const requested: string[] = [];
    const setCookies: string[] = [];
    const problems: string[] = [];
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      const cookie = r.headers()['set-cookie'];
      if (cookie) setCookies.push(`${r.url()}: ${cookie}`);
    });
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(partner.url, { waitUntil: 'load' });
    return {
      page,
      partner,
      dialogs,
      requested,
      setCookies,
      problems,
      async close() {
        await context.close();
        await partner.close();
      },
    };
  }

  const widgetItems = (page: Page) => page.locator('.wirefeed-widget li.wf-item');

  it('the script tag renders N headlines from another origin, in a Shadow DOM, with no cookies and no other requests', async () => {
    const snippet = `<script src="${server.url}/embed.js" data-feed="/sections/korea/feed.json" data-limit="2" async></script>`;
    const visit = await visitPartner(partnerPage(snippet, server.url, { hostileCss: true }), { cookieFor: server.url });
    try {
      const { page } = visit;
      await widgetItems(page).nth(1).waitFor();
      await expect(widgetItems(page).count()).resolves.toBe(2);
      const expected = selectArticles(server.snapshot.articles, { limit: 50 }, FIXED_NOW)
        .filter((a) => a.section === 'Korea')
        .slice(0, 2);
      const rendered = await page.locator('.wirefeed-widget').evaluate((host) =>
        [...(host.shadowRoot?.querySelectorAll('li.wf-item') ?? [])].map((li) => ({
          title: li.querySelector('.wf-title')?.textContent,
          href: li.querySelector('.wf-title')?.getAttribute('href'),
          credit: li.querySelector('.wf-credit')?.textContent,
          date: li.querySelector('time')?.textContent,
          thumb: li.querySelector('img') && { src: li.querySelector('img')?.getAttribute('src'), alt: li.querySelector('img')?.getAttribute('alt') },
          visible: (li as HTMLElement).offsetHeight > 0,
          titleColor: getComputedStyle(li.querySelector('.wf-title') as Element).color,
        })),
      );
      expect(rendered).toEqual(
        expected.map((a) => ({
          title: a.headline,
          href: a.url,
          credit: formatCreditLine(a.credits, a.language),
          date: expect.stringMatching(/\d{4}/),
          thumb: a.images[0] ? { src: a.images[0].thumbnail ?? a.images[0].url, alt: a.images[0].alt } : null,
          // The partner's `li, a { display: none; color: red }` does not reach inside; our stylesheet does.
          visible: true,
          titleColor: 'rgb(11, 79, 168)',
        })),
      );
      // Only the partner, our origin (script, stylesheet, feed) and the newsroom's image host were contacted.
      const origins = new Set(visit.requested.map((u) => new URL(u).origin));
      expect([...origins].sort()).toEqual([visit.partner.url, server.url, 'https://media.example.org'].sort());
      const feedRequest = server.requests.find((r) => r.path === '/sections/korea/feed.json?limit=2');
      expect(feedRequest, 'the widget fetched the feed from our origin').toBeDefined();
      expect(feedRequest?.headers.cookie).toBeUndefined();
      expect(feedRequest?.headers.referer).toBeUndefined();
      expect(feedRequest?.headers.origin).toBe(visit.partner.url);
      expect(visit.setCookies).toEqual([]);
      expect(visit.problems).toEqual([]);
    } finally {
      await visit.close();
    }
  });

  it('the iframe variant renders N headlines from another origin', async () => {
    const snippet = `<iframe src="${server.url}/embed?feed=/sections/korea/feed.json&amp;limit=2" title="Headlines" width="420" height="420"></iframe>`;
    const visit = await visitPartner(partnerPage(snippet, server.url));
    try {
      const frame = visit.page.frameLocator('iframe');
      await frame.locator('li.wf-item').nth(1).waitFor();
      await expect(frame.locator('li.wf-item').count()).resolves.toBe(2);
      const expected = selectArticles(server.snapshot.articles, { limit: 50 }, FIXED_NOW)
        .filter((a) => a.section === 'Korea')
        .slice(0, 2);
      await expect(frame.locator('.wf-title').allTextContents()).resolves.toEqual(expected.map((a) => a.headline));
      await expect(frame.locator('.wf-credit').allTextContents()).resolves.toEqual(expected.map((a) => formatCreditLine(a.credits, a.language)));
      expect(visit.problems).toEqual([]);
    } finally {
      await visit.close();
    }
  });

  it('a hostile headline shows as text and never runs: widget, frame and feed page', async () => {
    const snippet = `<script src="${hostile.url}/embed.js" data-feed="/feed.json" data-limit="5" async></script>
<iframe src="${hostile.url}/embed?feed=/feed.json&amp;limit=5" title="Headlines" width="420" height="300"></iframe>`;
    const visit = await visitPartner(partnerPage(snippet, hostile.url));
    try {
      const { page } = visit;
      await widgetItems(page).nth(1).waitFor();
      const frame = page.frameLocator('iframe');
      await frame.locator('li.wf-item').nth(1).waitFor();
      await page.waitForLoadState('networkidle');
      await expect(page.locator('.wirefeed-widget .wf-title').first().textContent()).resolves.toBe(HOSTILE);
      await expect(page.locator('.wirefeed-widget .wf-credit').first().textContent()).resolves.toBe('Reported by <b onmouseover=alert(3)>Eve</b>.');
      // Alt text is plain text: the pasted tag is removed at load, and what is left is only text.
      await expect(page.locator('.wirefeed-widget img').first().getAttribute('alt')).resolves.toBe('">');
      await expect(frame.locator('.wf-title').first().textContent()).resolves.toBe(HOSTILE);
      await page.locator('.wirefeed-widget .wf-credit').first().hover();
      // No element was made from the text (Playwright's CSS reaches into the open shadow root).
      await expect(page.locator('img[src="x"], img[src="y"], b').count()).resolves.toBe(0);
      await expect(frame.locator('img[src="x"], img[src="y"], b').count()).resolves.toBe(0);

      const preview = await page.context().newPage();
      preview.on('dialog', (d) => {
        visit.dialogs.push(d.message());
        void d.dismiss();
      });
      await preview.goto(`${hostile.url}/sections/korea/`, { waitUntil: 'networkidle' });
      await expect(preview.locator('article.story h2').first().textContent()).resolves.toBe(HOSTILE);
      await expect(preview.locator('img[src="x"], img[src="y"]').count()).resolves.toBe(0);
      expect(visit.dialogs).toEqual([]);
    } finally {
      await visit.close();
    }
  });

  it('screenshot: the widget on a partner page, every script of the sample data', async () => {
    const snippet = `<script src="${server.url}/embed.js" data-feed="/feed.json" data-limit="14" async></script>`;
    const visit = await visitPartner(partnerPage(snippet, server.url));
    try {
      const { page } = visit;
      await widgetItems(page).nth(13).waitFor();
      await page.waitForLoadState('networkidle');
      await expect(widgetItems(page).count()).resolves.toBe(14);
      // The Uyghur item reads right to left inside the widget.
      const ug = widgetItems(page).filter({ has: page.locator('[lang="ug"]') });
      await expect(page.locator('.wirefeed-widget li.wf-item[lang="ug"]').evaluate((li) => getComputedStyle(li).direction)).resolves.toBe('rtl');
      void ug;
      await page.locator('.wirefeed-widget').screenshot({ path: join(ARTIFACTS, 'widget.png') });
      await page.screenshot({ path: join(ARTIFACTS, 'partner-page.png'), fullPage: true });
      // WIREFEED_UPDATE_DOCS=1 refreshes the README's picture from this run.
      if (process.env.WIREFEED_UPDATE_DOCS === '1') copyFileSync(join(ARTIFACTS, 'widget.png'), DOCS_SCREENSHOT);
    } finally {
      await visit.close();
    }
  });
});
