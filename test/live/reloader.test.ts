import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { listJsonFiles } from '../../src/load/files.js';
import { loadSite } from '../../src/load/load-data.js';
import { createReloader, isRecordFileName, type Reloader } from '../../src/store/files/reloader.js';
import { createHolderStore } from '../../src/store/files/files-store.js';
import { tempFileName } from '../../src/load/write.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { makeDataDir, makeRecords, SITE_OVERRIDES } from './data-dir.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A reloader over a fresh data folder, with the watcher and the rescan timer off: reloads happen only when the test asks. */
function setup(records: readonly Record<string, unknown>[], options: { rescanIntervalMs?: number; watch?: boolean } = {}) {
  const data = makeDataDir(records);
  const logs: string[] = [];
  const reloadSeconds: number[] = [];
  const reloader = createReloader({
    dataDir: data.dir,
    site: loadSite(data.dir, SITE_OVERRIDES),
    siteOverrides: SITE_OVERRIDES,
    watch: options.watch ?? false,
    rescanIntervalMs: options.rescanIntervalMs ?? 0,
    log: (line) => logs.push(line),
    onReload: (seconds) => reloadSeconds.push(seconds),
  });
  reloader.start();
  cleanups.push(data.remove, () => reloader.close());
  const write = (name: string, content: unknown) => writeFileSync(join(data.articles, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { data, reloader, logs, write, store: reloader.store, reloadSeconds };
}

function ids(reloader: Reloader): string[] {
  return reloader.store.current().articles.map((a) => a.id).sort();
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('reloader: only what changed is read again', () => {
  it('reports how long each reload that swapped a snapshot took (metrics), and nothing for one that changed nothing', async () => {
    const { reloader, write, reloadSeconds } = setup(makeRecords(3));
    await reloader.reload();
    expect(reloadSeconds).toEqual([]);
    write('new.json', makeRecord({ id: 'new' }));
    await reloader.reload(['new.json']);
    expect(reloadSeconds).toHaveLength(1);
    expect(reloadSeconds[0]).toBeGreaterThan(0);
    expect(reloadSeconds[0]).toBeLessThan(5);
  });

  it('loads every file at start as version 1', () => {
    const { store, reloader } = setup(makeRecords(5));
    expect(store.current().version).toBe(1);
    expect(ids(reloader)).toEqual(['story-0000', 'story-0001', 'story-0002', 'story-0003', 'story-0004']);
    expect(reloader.filesRead()).toBe(5);
  });

  it('re-reads one changed file out of 300 and keeps the other Article objects as they were', async () => {
    const { store, reloader, write } = setup(makeRecords(300));
    const before = store.current();
    const readBefore = reloader.filesRead();
    write('story-0007.json', makeRecord({ id: 'story-0007', headline: 'Changed headline', published: '2024-01-01T00:07:00Z' }));
    await reloader.reload();
    const after = store.current();
    expect(reloader.filesRead() - readBefore).toBe(1);
    expect(after.version).toBe(before.version + 1);
    expect(after.byId.get('story-0007')?.headline).toBe('Changed headline');
    for (const article of before.articles) if (article.id !== 'story-0007') expect(after.byId.get(article.id)).toBe(article);
    expect(before.byId.get('story-0007')?.headline).toBe('Headline 7');
  });

  it('does not swap in a new snapshot when nothing changed', async () => {
    const { store, reloader } = setup(makeRecords(20));
    const before = store.current();
    await reloader.reload();
    expect(store.current()).toBe(before);
    expect(reloader.filesRead()).toBe(20);
  });

  it('makes no new snapshot for a save that changed nothing (or a second event for one save)', async () => {
    const { store, reloader, write } = setup(makeRecords(3));
    const before = store.current();
    write('story-0001.json', makeRecords(3)[1]);
    await reloader.reload(['story-0001.json']);
    await reloader.reload(['story-0001.json']);
    expect(store.current()).toBe(before);
    write('story-0001.json', makeRecord({ id: 'story-0001', headline: 'Really changed' }));
    await reloader.reload(['story-0001.json']);
    expect(store.current().version).toBe(before.version + 1);
  });

  it('re-reads exactly the files named, and a full rescan catches the change no event announced', async () => {
    const { store, reloader, write } = setup(makeRecords(10));
    write('story-0001.json', makeRecord({ id: 'story-0001', headline: 'Announced' }));
    write('story-0002.json', makeRecord({ id: 'story-0002', headline: 'Lost event' }));
    await reloader.reload(['story-0001.json']);
    expect(store.current().byId.get('story-0001')?.headline).toBe('Announced');
    expect(store.current().byId.get('story-0002')?.headline).toBe('Headline 2');
    await reloader.reload();
    expect(store.current().byId.get('story-0002')?.headline).toBe('Lost event');
  });

  it('adds new files and drops deleted ones', async () => {
    const { reloader, write, data } = setup(makeRecords(3));
    write('fresh-story.json', makeRecord({ id: 'fresh-story' }));
    rmSync(join(data.articles, 'story-0000.json'));
    await reloader.reload();
    expect(ids(reloader)).toEqual(['fresh-story', 'story-0001', 'story-0002']);
  });

  it('swaps a burst of changes in as one new snapshot', async () => {
    const { store, reloader, write } = setup(makeRecords(100));
    const swaps: number[] = [];
    store.subscribe((next) => swaps.push(next.version));
    for (let i = 0; i < 100; i += 2) write(`story-${String(i).padStart(4, '0')}.json`, makeRecord({ id: `story-${String(i).padStart(4, '0')}`, headline: `Bulk ${i}`, published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString() }));
    await reloader.reload();
    expect(swaps).toEqual([2]);
    expect(store.current().articles.filter((a) => a.headline.startsWith('Bulk'))).toHaveLength(50);
  });

  it('never serves a half-updated state: requests during a 300-file reload see all old or all new', async () => {
    const { store, reloader, write } = setup(makeRecords(300));
    const server = await listen(createApp({ store: createHolderStore(store) }));
    cleanups.push(server.close);
    for (let i = 0; i < 300; i += 1) {
      const id = `story-${String(i).padStart(4, '0')}`;
      write(`${id}.json`, makeRecord({ id, headline: `New ${i}`, published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString() }));
    }
    // Sample what the store serves on every turn of the event loop while the reload runs (it yields between batches of files),
    // and what HTTP clients get.
    const sampled: string[] = [];
    const fetched: string[] = [];
    let done = false;
    const kind = (headlines: readonly string[]) => [...new Set(headlines.map((h) => h.split(' ')[0]))].join('+');
    const sample = () => {
      sampled.push(kind(store.current().articles.map((a) => a.headline)));
      if (!done) setImmediate(sample);
    };
    setImmediate(sample);
    const polling = (async () => {
      while (!done) {
        const feed = (await (await fetch(`${server.url}/feed.json?limit=100`)).json()) as { items: { title: string }[] };
        fetched.push(kind(feed.items.map((item) => item.title)));
      }
    })();
    await reloader.reload();
    done = true;
    await polling;
    sample();
    expect(sampled.filter((k) => k === 'Headline').length).toBeGreaterThan(0);
    for (const k of [...sampled, ...fetched]) expect(['Headline', 'New']).toContain(k);
    expect(sampled.at(-1)).toBe('New');
    expect(fetched.at(-1)).toBe('New');
  });

  it('sees a save made through a temp file and a rename, and never lists the temp file', async () => {
    const { reloader, data, store } = setup(makeRecords(2));
    const temp = join(data.articles, tempFileName('story-0000.json'));
    writeFileSync(temp, JSON.stringify(makeRecord({ id: 'story-0000', headline: 'Renamed into place' })));
    writeFileSync(join(data.articles, '.story-0001.json.swp'), 'editor swap file, not JSON');
    writeFileSync(join(data.articles, 'story-0001.json~'), 'editor backup');
    await reloader.reload();
    expect(store.current().rejected).toEqual([]);
    renameSync(temp, join(data.articles, 'story-0000.json'));
    await reloader.reload();
    expect(store.current().byId.get('story-0000')?.headline).toBe('Renamed into place');
    expect(store.current().rejected).toEqual([]);
  });
});

describe('reloader: a file that becomes invalid keeps its last good version', () => {
  it('serves the last good version, reports file, field and reason, and recovers when fixed', async () => {
    const { store, reloader, write, logs } = setup(makeRecords(3));
    const good = store.current().byId.get('story-0001');
    write('story-0001.json', makeRecord({ id: 'story-0001', headline: 'Broken edit', published: 'yesterday' }));
    await reloader.reload();
    let snapshot = store.current();
    expect(snapshot.byId.get('story-0001')).toBe(good);
    expect(snapshot.articles).toHaveLength(3);
    expect(snapshot.rejected.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ file: expect.stringMatching(/articles\/story-0001\.json$/), field: 'published', problem: expect.stringContaining('last good version') }),
    ]);
    expect(logs.some((line) => line.startsWith('rejected:') && line.includes('story-0001.json') && line.includes('"published"'))).toBe(true);

    write('story-0001.json', makeRecord({ id: 'story-0001', headline: 'Fixed edit', published: '2024-01-01T00:01:00Z' }));
    await reloader.reload();
    snapshot = store.current();
    expect(snapshot.byId.get('story-0001')?.headline).toBe('Fixed edit');
    expect(snapshot.rejected).toEqual([]);
  });

  it('keeps the last good version through a torn (half-written) save', async () => {
    const { store, reloader, write } = setup(makeRecords(2));
    const full = JSON.stringify(makeRecord({ id: 'story-0000', headline: 'Half' }));
    write('story-0000.json', full.slice(0, full.length / 2));
    await reloader.reload();
    expect(store.current().byId.get('story-0000')?.headline).toBe('Headline 0');
    expect(store.current().rejected[0]?.problem).toMatch(/not valid JSON at line 1/);
  });

  it('removes the article when the invalid file is deleted, and clears the report', async () => {
    const { store, reloader, write, data } = setup(makeRecords(2));
    write('story-0000.json', '{');
    await reloader.reload();
    expect(store.current().byId.has('story-0000')).toBe(true);
    rmSync(join(data.articles, 'story-0000.json'));
    await reloader.reload();
    expect(store.current().byId.has('story-0000')).toBe(false);
    expect(store.current().rejected).toEqual([]);
  });

  it('has no last good version for a file that was never valid: it is only reported', async () => {
    const { store, reloader, write } = setup(makeRecords(1));
    write('new-story.json', makeRecord({ id: 'new-story', url: 'not a url' }));
    await reloader.reload();
    expect(store.current().byId.has('new-story')).toBe(false);
    expect(store.current().rejected.map((e) => e.field)).toEqual(['url']);
    expect(store.current().rejected[0]?.problem).not.toMatch(/last good/);
  });

  it('lists the rejected file with field and reason in /healthz', async () => {
    const { store, reloader, write } = setup(makeRecords(2));
    write('story-0000.json', makeRecord({ id: 'story-0000', credits: [{ name: 'X', role: 'chef' }] }));
    await reloader.reload();
    const server = await listen(createApp({ store: createHolderStore(store) }));
    cleanups.push(server.close);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { rejected: { file: string; field: string; problem: string }[]; articles: number };
    expect(health.articles).toBe(2);
    expect(health.rejected).toEqual([expect.objectContaining({ file: expect.stringMatching(/story-0000\.json$/), field: 'credits[0].role' })]);
  });
});

describe('reloader: site.json', () => {
  it('keeps the previous site when site.json turns bad after start, reports it, and takes the fixed one', async () => {
    const { store, reloader, data } = setup(makeRecords(2));
    writeFileSync(join(data.dir, 'site.json'), JSON.stringify({ ...SITE_RECORD, title: '', feedSize: 1000 }));
    await reloader.reload();
    let snapshot = store.current();
    expect(snapshot.site.title).toBe(SITE_RECORD.title);
    expect(snapshot.articles).toHaveLength(2);
    expect(snapshot.rejected.some((e) => /site\.json$/.test(e.file) && /feedSize/.test(e.problem) && /previous site settings/.test(e.problem))).toBe(true);

    writeFileSync(join(data.dir, 'site.json'), JSON.stringify({ ...SITE_RECORD, title: 'Renamed Newsroom' }));
    await reloader.reload();
    snapshot = store.current();
    expect(snapshot.site.title).toBe('Renamed Newsroom');
    expect(snapshot.site.baseUrl).toBe('https://feeds.example.org');
    expect(snapshot.rejected).toEqual([]);
  });

  it('parses records again when the site language (their default) changes', async () => {
    const { store, reloader, write, data } = setup([]);
    const { language: _drop, ...record } = makeRecord({ id: 'no-language' });
    write('no-language.json', record);
    await reloader.reload();
    expect(store.current().byId.get('no-language')?.language).toBe('en');
    writeFileSync(join(data.dir, 'site.json'), JSON.stringify({ ...SITE_RECORD, language: 'ko' }));
    await reloader.reload();
    expect(store.current().byId.get('no-language')?.language).toBe('ko');
  });
});

describe('reloader: periodic rescan', () => {
  it('finds a change with the watcher off', async () => {
    const { store, write } = setup(makeRecords(2), { rescanIntervalMs: 50 });
    write('story-0000.json', makeRecord({ id: 'story-0000', headline: 'Found by the rescan' }));
    await waitFor(() => store.current().byId.get('story-0000')?.headline === 'Found by the rescan');
  });

  it('copes with the articles folder being removed and created again', async () => {
    const { store, reloader, data, write } = setup(makeRecords(2));
    rmSync(data.articles, { recursive: true });
    await reloader.reload();
    expect(store.current().articles).toEqual([]);
    mkdirSync(data.articles);
    write('back-again.json', makeRecord({ id: 'back-again' }));
    await reloader.reload();
    expect(ids(reloader)).toEqual(['back-again']);
  });
});

describe('temp file names', () => {
  it('are cleaned up at start when an interrupted write left them long ago; recent ones stay', () => {
    const data = makeDataDir(makeRecords(1));
    cleanups.push(data.remove);
    const old = join(data.articles, tempFileName('story-0000.json', 999));
    const recent = join(data.articles, tempFileName('story-0000.json', 998));
    const editors = join(data.articles, '.story-0000.json.swp');
    for (const file of [old, recent, editors]) writeFileSync(file, '{"id": "sto');
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(editors, longAgo, longAgo);
    const reloader = createReloader({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined });
    cleanups.push(() => reloader.close());
    expect([existsSync(old), existsSync(recent), existsSync(editors)]).toEqual([false, true, true]);
    expect(reloader.store.current().rejected).toEqual([]);
  });

  it('are never listed as records by the loader', () => {
    const { articles, remove } = makeDataDir([]);
    cleanups.push(remove);
    const temps = [tempFileName('a-story.json'), tempFileName('b.json', 12345), '.a.json.swp', 'a.json~', '4913', '.hidden.json'];
    for (const name of [...temps, 'real.json']) writeFileSync(join(articles, name), '{}');
    expect(listJsonFiles(articles)).toEqual(['real.json']);
    for (const name of temps) expect(isRecordFileName(name)).toBe(false);
    expect(isRecordFileName('real.json')).toBe(true);
  });
});

describe('reloader: dangling links', () => {
  it('reports a link to a missing file on reload, and serves it once its target appears', async () => {
    const { data, reloader, store } = setup(makeRecords(1));
    const target = join(data.dir, 'later.json');
    symlinkSync(target, join(data.articles, 'dangling.json'));
    await reloader.reload();
    expect(store.current().rejected.map((e) => e.problem)).toEqual(['is a link to a file that does not exist']);
    writeFileSync(target, JSON.stringify(makeRecord({ id: 'linked-story' })));
    await reloader.reload();
    expect(store.current().rejected).toEqual([]);
    expect(ids(reloader)).toEqual(['linked-story', 'story-0000']);
    rmSync(target);
    await reloader.reload(['dangling.json']);
    expect(store.current().rejected.map((e) => e.problem)).toEqual(['is a link to a file that does not exist (the last good version of this file stays in the feeds until it is fixed or deleted)']);
  });
});
