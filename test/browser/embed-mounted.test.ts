import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { FIXED_NOW, launchBrowser, SAMPLE_DATA, SKIP_BROWSER_TESTS, startPartner, type RunningBrowser } from './harness.js';

/**
 * The widget of a wirefeed mounted under /feeds in a newsroom's Express app,
 * on a partner page in Chromium: embed.js must fetch the feed and its
 * stylesheet under the mount, not at the host's root.
 */
describe.skipIf(SKIP_BROWSER_TESTS)('the widget of wirefeed mounted under /feeds, in a real browser', () => {
  let chromium: RunningBrowser;
  let server: Server;
  let origin: string;
  const requested: string[] = [];

  beforeAll(async () => {
    chromium = await launchBrowser();
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const site = loadSite(SAMPLE_DATA, { baseUrl: `${origin}/feeds`, fallbackBaseUrl: origin });
    const store = createSnapshotStore(buildSnapshot(site, loadArticleFiles(SAMPLE_DATA, site), 1));
    const host = express();
    host.use((req, _res, next) => void (requested.push(req.url), next()));
    host.use('/feeds', createApp({ store, clock: () => FIXED_NOW, log: () => {} }).listener);
    server.on('request', host);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await Promise.all([chromium?.close(), new Promise((resolve) => server?.close(resolve))]);
  });

  for (const dataFeed of ['/sections/korea/feed.json', '/feeds/sections/korea/feed.json']) {
    it(`renders the headlines and applies its stylesheet, with data-feed="${dataFeed}"`, async () => {
      requested.length = 0;
      const snippet = `<script src="${origin}/feeds/embed.js" data-feed="${dataFeed}" data-limit="2" async></script>`;
      const partner = await startPartner({ '/': { type: 'text/html; charset=utf-8', body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title></head><body>${snippet}</body></html>` } });
      const context = await chromium.newContext();
      try {
        const page = await context.newPage();
        await page.goto(partner.url, { waitUntil: 'load' });
        const items = page.locator('.wirefeed-widget li.wf-item');
        await items.nth(1).waitFor();
        expect(await items.count()).toBe(2);
        const heading = await page.locator('.wirefeed-widget .wf-heading a').getAttribute('href');
        expect(heading).toBe(`${origin}/feeds/sections/korea/`);
        // Styled by embed.css, fetched from the mount (the browser default link colour is rgb(0, 0, 238)).
        await expect.poll(() => page.locator('.wirefeed-widget .wf-title').first().evaluate((a) => (globalThis as any).getComputedStyle(a).color)).toBe('rgb(11, 79, 168)');
        expect(requested).toContain('/feeds/sections/korea/feed.json?limit=2');
        expect(requested).toContain('/feeds/assets/embed.css');
        expect(requested.filter((path) => !path.startsWith('/feeds/'))).toEqual([]);
      } finally {
        await context.close();
        await partner.close();
      }
    });
  }
});
