import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore, type FilesStore } from '../../src/store/files/files-store.js';
import { tempFileName } from '../../src/load/write.js';
import { makeRecord } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { makeDataDir, makeRecords, SITE_OVERRIDES } from './data-dir.js';

/**
 * Edit-to-visible latency with the real watcher: a file is saved, and the
 * test polls the served feed over HTTP until the change shows. The issue
 * asks for under one second; the figures are printed for the README.
 */
const ARTICLES = 1000;
const LIMIT_MS = 1000;

let data: ReturnType<typeof makeDataDir>;
let reloader: FilesStore;
let server: Awaited<ReturnType<typeof listen>>;
const figures: string[] = [];

beforeAll(async () => {
  data = makeDataDir(makeRecords(ARTICLES));
  reloader = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, rescanIntervalMs: 0, log: () => undefined });
  reloader.start();
  server = await listen(createApp({ store: reloader }));
});

afterAll(async () => {
  console.log(`edit-to-visible latency over HTTP (${ARTICLES} articles in the folder):\n  ${figures.join('\n  ')}`);
  await server?.close();
  await reloader?.close();
  data?.remove();
});

/** Ids in the served JSON feed, newest first. */
async function feedIds(limit = 100): Promise<string[]> {
  const feed = (await (await fetch(`${server.url}/feed.json?limit=${limit}`)).json()) as { items: { id: string }[] };
  return feed.items.map((item) => item.id.slice(item.id.lastIndexOf(':') + 1));
}

/** Runs `edit`, then polls the feed every few ms until `visible` holds; returns the elapsed ms. */
async function measure(label: string, edit: () => void, visible: (ids: string[]) => boolean, limit?: number): Promise<number> {
  const start = performance.now();
  edit();
  for (;;) {
    if (visible(await feedIds(limit))) break;
    if (performance.now() - start > 10_000) throw new Error(`${label}: not visible after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = performance.now() - start;
  figures.push(`${label}: ${elapsed.toFixed(0)} ms`);
  return elapsed;
}

const newest = (id: string, minute: number) => makeRecord({ id, headline: `Breaking ${id}`, published: new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString() });

describe('edit-to-visible latency with fs.watch', () => {
  it('a new file saved in place appears in the feed in under a second', async () => {
    const ms = await measure('new file, written in place', () => writeFileSync(join(data.articles, 'breaking-one.json'), JSON.stringify(newest('breaking-one', 1))), (ids) => ids[0] === 'breaking-one');
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('a change saved through a temp file and a rename appears in under a second', async () => {
    const ms = await measure(
      'changed file, temp file + rename',
      () => {
        const temp = join(data.articles, tempFileName('breaking-one.json'));
        writeFileSync(temp, JSON.stringify({ ...newest('breaking-one', 1), published: new Date(Date.UTC(2025, 0, 1, 0, 2)).toISOString(), id: 'breaking-one' }));
        renameSync(temp, join(data.articles, 'breaking-one.json'));
        writeFileSync(join(data.articles, 'breaking-two.json'), JSON.stringify(newest('breaking-two', 0)));
      },
      (ids) => ids[0] === 'breaking-one' && ids[1] === 'breaking-two',
    );
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('a deleted file leaves the feed in under a second', async () => {
    const ms = await measure('deleted file', () => rmSync(join(data.articles, 'breaking-one.json')), (ids) => ids[0] === 'breaking-two');
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('a burst of 300 saves (a bulk import) is read once each and coalesced into few reloads', async () => {
    const readBefore = reloader.filesRead();
    const versionBefore = reloader.snapshot().version;
    const burst = 300;
    const ms = await measure(
      `burst of ${burst} new files, temp file + rename each`,
      () => {
        for (let i = 0; i < burst; i += 1) {
          const name = `bulk-${String(i).padStart(4, '0')}.json`;
          const temp = join(data.articles, tempFileName(name));
          writeFileSync(temp, JSON.stringify(newest(`bulk-${String(i).padStart(4, '0')}`, 100 + i)));
          renameSync(temp, join(data.articles, name));
        }
      },
      (ids) => ids.length === 100 && ids.every((id, i) => id === `bulk-${String(burst - 1 - i).padStart(4, '0')}`),
    );
    const reads = reloader.filesRead() - readBefore;
    const reloads = reloader.snapshot().version - versionBefore;
    figures.push(`  … ${reads} file reads and ${reloads} reload(s) for ${burst} saves (folder: ${ARTICLES + burst + 1} files)`);
    expect(reloader.snapshot().articles).toHaveLength(ARTICLES + burst + 1);
    // Every saved file is read, but the other 1001 files are not read again.
    expect(reads).toBeGreaterThanOrEqual(burst);
    expect(reads).toBeLessThan(2 * burst);
    expect(reloads).toBeLessThan(burst / 3);
    expect(ms).toBeLessThan(5 * LIMIT_MS);
  });
});
