import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { loadSite } from '../../src/load/load-data.js';
import { DEFAULT_CACHE_NAME } from '../../src/store/files/cache-dir.js';
import { openFilesStore, type OpeningFilesStore } from '../../src/store/files/open-files-store.js';
import { BACKENDS, SITE_OVERRIDES, useBackend } from '../helpers/backends.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';

/** An image's `rights` reach a reader unchanged whichever way the record was stored: PostgreSQL's JSON, the files backend's persisted index. */
const RECORD = makeRecord({
  id: 'rights-story',
  images: [
    { url: 'https://media.example.org/a.jpg', credit: 'AFP', rights: { terms: 'Editorial use only.', syndicate: false } },
    { url: 'https://media.example.org/b.jpg', rights: { syndicate: true } },
    { url: 'https://media.example.org/c.jpg', credit: 'Own' },
  ],
});
const expected = () => {
  const { article } = parseArticle(RECORD, 'x.json', { language: 'en' });
  return JSON.stringify(article?.images);
};

describe.each(BACKENDS)('image rights on the $name backend', (backend) => {
  const harness = useBackend(backend);
  it('are kept, in the loader\'s key order', async () => {
    const opened = await harness.open([RECORD]);
    try {
      const article = await opened.store.article('rights-story');
      expect(JSON.stringify(article?.images)).toBe(expected());
      expect(article?.images[0]?.rights).toEqual({ syndicate: false, terms: 'Editorial use only.' });
    } finally {
      await opened.close();
    }
  });
});

describe('image rights in the persisted article index', () => {
  const roots: string[] = [];
  const stores: OpeningFilesStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it('survive a restart that restores the article from the index', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wirefeed-rights-'));
    roots.push(root);
    const dir = join(root, 'data');
    mkdirSync(join(dir, 'articles'), { recursive: true });
    writeFileSync(join(dir, 'site.json'), JSON.stringify(SITE_RECORD));
    writeFileSync(join(dir, 'articles', 'rights-story.json'), JSON.stringify(RECORD));
    const open = async () => {
      const store = openFilesStore({ dataDir: dir, site: loadSite(dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, cacheDir: join(dir, DEFAULT_CACHE_NAME), bodies: 'disk', log: () => undefined });
      await store.whenReady;
      return store;
    };
    const first = await open();
    await first.close();
    const second = await open();
    stores.push(second);
    expect(second.loadSummary()?.restored).toBe(1);
    expect(JSON.stringify(second.snapshot().articles[0]?.images)).toBe(expected());
  });
});
