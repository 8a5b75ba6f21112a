import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILTER_KINDS, KIND_FOLDER, listFeeds } from '../../src/model/feed-filter.js';
import { isVisible } from '../../src/model/feed-query.js';
import { launchBrowser, SKIP_BROWSER_TESTS, FIXED_NOW, startApp, type RunningBrowser, type RunningServer } from './harness.js';

// axe runs inside Chromium; the project compiles without the DOM library, so its global is declared here only.
declare const axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> };

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's default rule set (WCAG 2.x A and AA plus best practice) over
 * every kind of page the server sends a person: the home page, a preview
 * page of each filter kind, the /embed frame (a headline list and a refused
 * request) and the 404 page. Stories have no page of their own; they are
 * read on the home and preview pages, so those carry the story markup.
 */
describe.skipIf(SKIP_BROWSER_TESTS)('every page passes axe (headless Chromium)', () => {
  let chromium: RunningBrowser;
  let server: RunningServer;

  beforeAll(async () => {
    chromium = await launchBrowser();
    server = await startApp();
  });
  afterAll(async () => {
    await Promise.all([chromium?.close(), server?.close()]);
  });

  /** The first feed of each kind in the sample data: /sections/…/, /tags/…/, /languages/…/, /authors/…/. */
  function previewPaths(): string[] {
    const feeds = listFeeds(server.snapshot.articles.filter((a) => isVisible(a, FIXED_NOW)));
    return FILTER_KINDS.map((kind) => {
      const feed = feeds.find((f) => f.filter?.kind === kind);
      if (!feed?.filter) throw new Error(`the sample data has no ${kind} feed`);
      return `/${KIND_FOLDER[kind]}/${encodeURIComponent(feed.filter.slug)}/`;
    });
  }

  async function violationsOf(path: string, expectedStatus: number): Promise<string[]> {
    // The pages forbid inline script (CSP); axe is injected as one, so the check bypasses the policy.
    const context = await chromium.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(expectedStatus);
      await page.addScriptTag({ path: AXE_SCRIPT });
      const { violations } = await page.evaluate(() => axe.run());
      return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    } finally {
      await context.close();
    }
  }

  it('the home page', async () => {
    expect(await violationsOf('/', 200)).toEqual([]);
  });

  it('a preview page of each filter kind (section, tag, language, author)', async () => {
    const paths = previewPaths();
    expect(paths).toHaveLength(FILTER_KINDS.length);
    for (const path of paths) expect(await violationsOf(path, 200), path).toEqual([]);
  });

  it('the /embed frame: a headline list, the main feed and a refused request', async () => {
    // The frame's h1 is for screen readers: it must not move or show in the partner's frame.
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/embed?feed=/sections/korea/feed.json&limit=5`);
    expect(await page.locator('main > h1').boundingBox()).toMatchObject({ width: 1, height: 1 });
    expect(await page.locator('main > section.wf').boundingBox()).toMatchObject({ x: 0, y: 0 });
    await context.close();
    expect(await violationsOf('/embed?feed=/sections/korea/feed.json&limit=5', 200)).toEqual([]);
    expect(await violationsOf('/embed?feed=/feed.json', 200)).toEqual([]);
    expect(await violationsOf('/embed?feed=/nowhere.xml', 400)).toEqual([]);
  });

  it('the 404 page of a feed that does not exist', async () => {
    expect(await violationsOf('/sections/no-such-section/', 404)).toEqual([]);
  });
});
