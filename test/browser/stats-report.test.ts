import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/stats.js';
import { createFilesStats } from '../../src/stats/files-stats.js';
import { fillSampleWeek } from '../stats/sample-days.js';
import { ARTIFACTS, launchBrowser, SKIP_BROWSER_TESTS, type RunningBrowser } from './harness.js';

declare const axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> };
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** `wirefeed stats --html` over a week of counts, opened in Chromium: charts drawn, nothing fetched, axe clean. */
describe.skipIf(SKIP_BROWSER_TESTS)('the readership report page (headless Chromium)', () => {
  let chromium: RunningBrowser;
  let dir: string;
  let report: string;

  beforeAll(async () => {
    chromium = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-report-'));
    const store = createFilesStats(dir);
    await fillSampleWeek(store, '2026-06-07');
    report = join(dir, 'report.html');
    const out: string[] = [];
    const io = { env: { DATA_DIR: dir }, cwd: dir, stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), interactive: false };
    expect(await runStats(['--from', '2026-06-01', '--to', '2026-06-07', '--html', 'report.html'], io)).toBe(0);
    expect(out.join('')).toContain('(4 feeds, 2026-06-01 to 2026-06-07)');
  });
  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one self-contained page with three server-drawn charts and 0 axe violations', async () => {
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=/i);
    const context = await chromium.newContext({ viewport: { width: 900, height: 1200 } });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`file://${report}`, { waitUntil: 'load' });
      expect(requested).toEqual([`file://${report}`]);
      expect(await page.locator('figure svg[role="img"]').count()).toBe(3);
      // ECharts drew the lines and bars: each chart has paths of its own beyond the axes.
      for (const figure of await page.locator('figure svg').all()) expect(await figure.locator('path').count()).toBeGreaterThan(10);
      expect(await page.locator('table').first().locator('tbody tr').count()).toBe(4);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'readership-report.png'), fullPage: true });
      if (process.env.WIREFEED_DOCS_SCREENSHOT === '1') copyFileSync(join(ARTIFACTS, 'readership-report.png'), join(import.meta.dirname, '..', '..', 'docs', 'readership-report.png'));
      await page.addScriptTag({ path: AXE_SCRIPT });
      const { violations } = await page.evaluate(() => axe.run());
      expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
