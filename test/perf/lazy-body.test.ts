import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../src/cli/gen-corpus.js';
import { createApp } from '../../src/http/app.js';
import { parseArticle } from '../../src/load/article.js';
import { attachBody, loadArticleFile, loadArticleFiles, loadSite, readArticleFile } from '../../src/load/load-data.js';
import { listJsonFiles } from '../../src/load/files.js';
import { loadArticleFilesInParallel } from '../../src/load/parallel-load.js';
import { StaleArticleError } from '../../src/model/stale.js';
import { sameArticle } from '../../src/model/same-article.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { builtFile } from '../server/build.js';
import { listen } from '../helpers/server.js';

const BODY = '<p>Read <a href="/more.html">more</a>.<script>alert(1)</script></p><img src="pic.jpg" onerror="x()">';

let dataDir: string;
beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'wirefeed-lazy-')), 'data');
  mkdirSync(join(dataDir, 'articles'), { recursive: true });
  writeFileSync(join(dataDir, 'site.json'), JSON.stringify(SITE_RECORD));
});
afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

const site = () => loadSite(dataDir, { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' });
/** Loads as the initial load of a very large corpus does: bodies stay on disk (BodyStorage 'disk'). */
const loadFromDisk = (name: string) => attachBody(dataDir, readArticleFile(dataDir, name, 'en', undefined, 'disk'));
const loadAllFromDisk = () => listJsonFiles(join(dataDir, 'articles')).map(loadFromDisk);
const write = (name: string, record: Record<string, unknown>) => writeFileSync(join(dataDir, 'articles', name), JSON.stringify(record, null, 2));

describe('bodies read on first use', () => {
  it('gives the same sanitised body as parsing the record in memory', () => {
    const record = makeRecord({ body: BODY });
    write('a.json', record);
    const loaded = loadArticleFile(dataDir, 'a.json', site()).article;
    const inMemory = parseArticle(record, 'data/articles/a.json', { language: 'en' }).article;
    expect(loaded?.body).toBe(inMemory?.body);
    expect(loaded?.body).toContain('href="https://news.example.org/more.html"');
    expect(loaded?.body).not.toContain('script');
    // Spreading an article (as callers may) still copies the body as a string.
    expect({ ...loaded }.body).toBe(inMemory?.body);
  });

  it('kept in memory (the default), a body outlives its file: the last good version can still be served', () => {
    write('a.json', makeRecord({ body: '<p>first version</p>' }));
    const article = loadArticleFile(dataDir, 'a.json', site()).article;
    write('a.json', { broken: true });
    expect(article?.body).toBe('<p>first version</p>');
  });

  it('left on disk, refuses to read a body from a file that changed since the article was loaded', () => {
    write('a.json', makeRecord({ body: '<p>first version</p>' }));
    const article = loadFromDisk('a.json').article;
    write('a.json', makeRecord({ body: '<p>other version</p>' })); // same size: only the version check can tell
    expect(() => article?.body).toThrow(StaleArticleError);
    rmSync(join(dataDir, 'articles', 'a.json'));
    expect(() => article?.body).toThrow(/changed on disk since it was loaded/);
  });

  it('counts as changed, not as an error, when compared after its file changed (reload and WebSub comparisons)', () => {
    write('a.json', makeRecord({ body: '<p>first version</p>' }));
    const before = loadFromDisk('a.json').article!;
    write('a.json', makeRecord({ body: '<p>other version</p>' }));
    const after = loadFromDisk('a.json').article!;
    expect(sameArticle(before, after)).toBe(false);
    expect(sameArticle(after, after)).toBe(true);
  });

  it('answers 503 with Retry-After, never a feed mixing two versions, until the data is reloaded', async () => {
    write('a.json', makeRecord({ id: 'a', headline: 'Old headline', body: '<p>old body</p>' }));
    const store = createSnapshotStore(buildSnapshot(site(), loadAllFromDisk(), 1));
    const server = await listen(createApp({ store, production: true, log: () => undefined }));
    try {
      write('a.json', makeRecord({ id: 'a', headline: 'New headline', body: '<p>new body</p>' }));
      const stale = await fetch(`${server.url}/feed.json`);
      expect(stale.status).toBe(503);
      expect(stale.headers.get('retry-after')).toBe('1');
      store.replace(buildSnapshot(site(), loadAllFromDisk(), 2));
      const fresh = (await (await fetch(`${server.url}/feed.json`)).json()) as { items: { title: string; content_html: string }[] };
      expect(fresh.items[0]?.title).toBe('New headline');
      expect(fresh.items[0]?.content_html).toContain('new body');
    } finally {
      await server.close();
    }
  });

  it('keeps serving what was rendered before the file changed (one version throughout)', async () => {
    write('a.json', makeRecord({ id: 'a', headline: 'Old headline', body: '<p>old body</p>' }));
    const store = createSnapshotStore(buildSnapshot(site(), loadAllFromDisk(), 1));
    const server = await listen(createApp({ store, production: true, log: () => undefined }));
    try {
      const before = await (await fetch(`${server.url}/rss.xml`)).text();
      write('a.json', makeRecord({ id: 'a', headline: 'New headline', body: '<p>new body</p>' }));
      const after = await fetch(`${server.url}/rss.xml`);
      expect(after.status).toBe(200);
      const text = await after.text();
      expect(text).toBe(before);
      expect(text).toContain('old body');
      expect(text).not.toContain('new body');
    } finally {
      await server.close();
    }
  });
});

describe('loading on several threads', () => {
  it('gives the same records as loading on one thread (bad files included)', async () => {
    writeCorpus({ count: 60, out: dataDir, seed: 5, force: true });
    writeFileSync(join(dataDir, 'site.json'), JSON.stringify(SITE_RECORD));
    writeFileSync(join(dataDir, 'articles', 'zz-broken.json'), '{"id": "x",');
    write('zz-invalid.json', makeRecord({ id: 'Bad Id', published: 'yesterday' }));
    const one = loadArticleFiles(dataDir, site());
    const parallel = await loadArticleFilesInParallel(dataDir, site(), { threads: 0 });
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(one));
    expect(parallel.filter((r) => r.errors.length > 0).map((r) => r.name)).toEqual(['zz-broken.json', 'zz-invalid.json']);
  });

  // The loader threads run compiled JavaScript: this compiles the sources (test/server/build.ts, shared
  // with the server-process tests) and compares the threaded load with the one-thread load of src/.
  it('gives the same records from the compiled loader threads', async () => {
    writeCorpus({ count: 4500, out: dataDir, seed: 9, force: true });
    writeFileSync(join(dataDir, 'articles', '2015-01-story-broken.json'), '{"id": "x",');
    const built = (await import(builtFile('src/load/parallel-load.ts'))) as typeof import('../../src/load/parallel-load.js');
    const threaded = await built.loadArticleFilesInParallel(dataDir, site(), { threads: 2 });
    const one = loadArticleFiles(dataDir, site());
    expect(threaded).toHaveLength(4501);
    expect(JSON.stringify(threaded)).toBe(JSON.stringify(one));
    // The first builtFile call of a run compiles src/ (10–20 s on a busy 2-core machine).
  }, 120_000);

  it('reads on the main thread the chunks of a loader thread that failed (out of memory)', async () => {
    writeCorpus({ count: 4500, out: dataDir, seed: 11, force: true });
    const built = (await import(builtFile('src/load/parallel-load.ts'))) as typeof import('../../src/load/parallel-load.js');
    // 1 MB heaps: the only thread runs out of memory; every chunk it took or left is read on the main thread.
    const survived = await built.loadArticleFilesInParallel(dataDir, site(), { threads: 1, mainThreadReads: false, threadLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 1 } });
    const one = loadArticleFiles(dataDir, site());
    expect(survived).toHaveLength(4500);
    expect(JSON.stringify(survived)).toBe(JSON.stringify(one));
  }, 120_000);
});
