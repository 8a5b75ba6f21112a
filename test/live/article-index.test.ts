import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { StoreNotReadyError } from '../../src/store/errors.js';
import { DEFAULT_CACHE_NAME, resolveCacheDir } from '../../src/store/files/cache-dir.js';
import { openFilesStore, type OpeningFilesStore } from '../../src/store/files/open-files-store.js';
import { indexFileName } from '../../src/store/files/record-index.js';
import { builtFile } from '../server/build.js';
import { makeRecords, SITE_OVERRIDES } from './data-dir.js';

/**
 * The persisted article index: a restart takes unchanged files from it and
 * reads only what changed, and never serves an entry whose file changed.
 * The stores run with bodies on disk (what a corpus of 20,000 files or more
 * gets, and the only case the index is used for) on small folders.
 */
const SAMPLE_DATA = join(import.meta.dirname, '..', '..', 'data');
/** Files each test's data folder holds: the sample articles and 40 generated ones. */
const FILES = readdirSync(join(SAMPLE_DATA, 'articles')).filter((name) => name.endsWith('.json')).length + 40;
const temporary: string[] = [];
const open: OpeningFilesStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-index-'));
  temporary.push(root);
  // The sample records only: a cache folder a server run left in data/ is not part of the data.
  cpSync(SAMPLE_DATA, join(root, 'data'), { recursive: true, filter: (source) => !source.includes('.wirefeed-cache') });
  const dir = join(root, 'data');
  for (const record of makeRecords(40)) writeFileSync(join(dir, 'articles', `${String(record.id)}.json`), JSON.stringify(record, null, 2));
  return dir;
}

/** Opens the store as main.ts does, waits until it is ready; `close()` waits for its index write. */
async function start(dir: string, lines: string[] = []): Promise<OpeningFilesStore> {
  const store = openFilesStore({ dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, cacheDir: join(dir, DEFAULT_CACHE_NAME), bodies: 'disk', log: (line) => lines.push(line) });
  open.push(store);
  await store.whenReady;
  return store;
}

async function restart(store: OpeningFilesStore, dir: string, lines: string[] = []): Promise<OpeningFilesStore> {
  await store.close();
  return start(dir, lines);
}

/** Every article as a client could see it, bodies included, in JSON key order. */
function served(store: OpeningFilesStore): string[] {
  return store.snapshot().articles.map((a) => JSON.stringify(a));
}

const indexPath = (dir: string): string => join(dir, DEFAULT_CACHE_NAME, indexFileName(dir));

describe('the persisted article index', () => {
  it('a restart over unchanged files reads none of them and serves exactly what a full read serves', async () => {
    const dir = dataDir();
    const first = await start(dir);
    expect(first.loadSummary()).toMatchObject({ restored: 0, read: FILES });
    const fromFiles = served(first);
    const second = await restart(first, dir);
    // Every valid record restored, nothing read.
    const summary = second.loadSummary();
    expect(summary?.restored).toBe(second.snapshot().articles.length);
    expect(summary?.read).toBe(FILES - (summary?.restored ?? 0));
    expect(served(second)).toEqual(fromFiles);
    // The same as the plain loader makes, field for field (bodies read and sanitised from the files).
    const site = loadSite(dir, SITE_OVERRIDES);
    const plain = loadArticleFiles(dir, site).flatMap((r) => (r.article ? [JSON.stringify(r.article)] : []));
    expect([...served(second)].sort()).toEqual(plain.sort());
    expect((await second.health(new Date())).warnings.map((w) => w.message)).toEqual((await first.health(new Date())).warnings.map((w) => w.message));
  });

  it('never trusts a stale entry: a file edited to the same size with its mtime put back is read again', async () => {
    const dir = dataDir();
    const file = join(dir, 'articles', 'story-0007.json');
    // A whole second, so that putting it back restores mtimeMs exactly (sub-millisecond parts do not round-trip).
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const store = await start(dir);
    const before = statSync(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('Headline 7"', 'Headline X"'));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(statSync(file).size).toBe(before.size);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(file).ino).toBe(before.ino);
    const again = await restart(store, dir);
    expect(again.loadSummary()?.read).toBe(1);
    expect((await again.article('story-0007'))?.headline).toBe('Headline X');
  });

  it('a deleted file is gone after a restart, and a new one is there', async () => {
    const dir = dataDir();
    const store = await start(dir);
    unlinkSync(join(dir, 'articles', 'story-0003.json'));
    const [extra] = makeRecords(1, 'added');
    writeFileSync(join(dir, 'articles', 'added-0000.json'), JSON.stringify(extra));
    const again = await restart(store, dir);
    expect(again.loadSummary()).toMatchObject({ read: 1, vanished: 1 });
    expect(await again.article('story-0003')).toBeUndefined();
    expect((await again.article('added-0000'))?.headline).toBe('Headline 0');
    const rss = await again.feedPage(undefined, { limit: 100 }, new Date());
    expect(rss?.articles.map((a) => a.id)).not.toContain('story-0003');
  });

  it.each([
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2)), /truncated|damaged/],
    ['garbled', (path: string) => writeFileSync(path, readFileSync(path, 'utf16le').replace(/"headline"|Headline/g, 'xx'), 'utf16le'), /cannot be used|damaged|truncated/],
    ['from another wirefeed version', (path: string) => writeFileSync(path, readFileSync(path, 'utf16le').replace(/"wirefeed":"[^"]*"/, '"wirefeed":"9.9.9"'), 'utf16le'), /wirefeed/],
  ])('a %s index is ignored with one log line and rebuilt', async (_name, damage, problem) => {
    const dir = dataDir();
    const store = await start(dir);
    const expected = served(store);
    await store.close();
    damage(indexPath(dir));
    const lines: string[] = [];
    const again = await start(dir, lines);
    const complaints = lines.filter((l) => l.includes('not using the article index'));
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toMatch(problem);
    expect(again.loadSummary()?.restored).toBe(0);
    expect(served(again)).toEqual(expected);
    // Rebuilt: the next start takes everything from it again.
    const third = await restart(again, dir);
    expect(third.loadSummary()?.restored).toBe(expected.length);
    expect(served(third)).toEqual(expected);
  });

  it('is written again after reloads, so the next restart reads nothing the server already read', async () => {
    const dir = dataDir();
    const options = { dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, cacheDir: join(dir, DEFAULT_CACHE_NAME), bodies: 'disk' as const, log: () => undefined };
    const store = openFilesStore({ ...options, indexRewriteDelayMs: 10 });
    open.push(store);
    await store.whenReady;
    const file = join(dir, 'articles', 'story-0011.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Headline 11"', 'Headline eleven"'));
    await store.reload(['story-0011.json']);
    expect((await store.article('story-0011'))?.headline).toBe('Headline eleven');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await restart(store, dir);
    expect(again.loadSummary()).toMatchObject({ read: 0 });
    expect((await again.article('story-0011'))?.headline).toBe('Headline eleven');
  });

  it('is neither read nor written below 20,000 files, where bodies stay in memory', async () => {
    const dir = dataDir();
    const store = openFilesStore({ dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, cacheDir: join(dir, DEFAULT_CACHE_NAME), log: () => undefined });
    open.push(store);
    await store.whenReady;
    await store.close();
    expect(existsSync(indexPath(dir))).toBe(false);
    expect(store.loadSummary()).toMatchObject({ restored: 0, read: FILES });
  });

  it('refuses reads until the first snapshot is complete, then serves', async () => {
    const dir = dataDir();
    const store = openFilesStore({ dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined });
    open.push(store);
    expect(store.ready()).toBe(false);
    await expect(store.feedPage(undefined, { limit: 10 }, new Date())).rejects.toBeInstanceOf(StoreNotReadyError);
    await expect(store.health(new Date())).rejects.toBeInstanceOf(StoreNotReadyError);
    await store.whenReady;
    expect(store.ready()).toBe(true);
    expect((await store.feedPage(undefined, { limit: 10 }, new Date()))?.articles).toHaveLength(10);
  });

  it('logs progress while loading: files read out of the total, and the rate', async () => {
    const dir = dataDir();
    for (const record of makeRecords(600, 'bulk')) writeFileSync(join(dir, 'articles', `${String(record.id)}.json`), JSON.stringify(record));
    const lines: string[] = [];
    const store = openFilesStore({ dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, progressIntervalMs: 1, log: (line) => lines.push(line) });
    open.push(store);
    await store.whenReady;
    expect(lines.some((l) => new RegExp(`^load: [\\d,]+ of ${FILES + 600} article files \\([\\d,]+ files/s\\)$`).test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^load: ${FILES + 600} article files in [\\d.]+ s`));
  });
});

describe('where the index is kept (CACHE_DIR)', () => {
  it('defaults to a hidden folder inside DATA_DIR, which the loader never lists', () => {
    const dir = dataDir();
    expect(resolveCacheDir(dir, undefined)).toEqual({ ok: true, dir: join(dir, DEFAULT_CACHE_NAME) });
    expect(existsSync(join(dir, DEFAULT_CACHE_NAME))).toBe(true);
  });

  it('takes CACHE_DIR when set, and says so when it cannot be written to', () => {
    const dir = dataDir();
    expect(resolveCacheDir(dir, join(dir, 'elsewhere'))).toEqual({ ok: true, dir: join(dir, 'elsewhere') });
    writeFileSync(join(dir, 'a-file'), '');
    const refused = resolveCacheDir(dir, join(dir, 'a-file', 'cache'));
    expect(refused.ok).toBe(false);
  });

  // Root writes anywhere whatever the modes, and CI runs as root: there the check runs in a child process as
  // "nobody" (uid 65534) against the compiled code, like the permission tests in test/load/broken-files.test.ts.
  it('falls back to a folder in the temp folder when DATA_DIR is read-only', () => {
    const dir = dataDir();
    const temp = join(dir, '..', 'tmp');
    mkdirSync(temp, { mode: 0o777 });
    chmodSync(temp, 0o777);
    for (let d = dir; d !== join(dir, '..', '..'); d = join(d, '..')) chmodSync(d, 0o755);
    chmodSync(join(dir, 'articles'), 0o755);
    const script = `const { resolveCacheDir } = await import(${JSON.stringify(builtFile('src/store/files/cache-dir.ts'))}); console.log(JSON.stringify(resolveCacheDir(${JSON.stringify(dir)}, undefined, ${JSON.stringify(temp)})));`;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() !== 0) chmodSync(dir, 0o555);
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { ...asNobody, encoding: 'utf8' });
    chmodSync(dir, 0o755);
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout) as { ok: boolean; dir: string; note: string };
    expect(result.ok).toBe(true);
    expect(result.dir.startsWith(join(temp, 'wirefeed-cache-'))).toBe(true);
    expect(result.note).toMatch(/cannot be written to/);
    expect(existsSync(join(dir, DEFAULT_CACHE_NAME))).toBe(false);
    expect(readdirSync(temp)).toHaveLength(1);
  });
});
