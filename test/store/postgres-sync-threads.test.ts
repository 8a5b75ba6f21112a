import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../src/cli/gen-corpus.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { articleFromJson, articleData } from '../../src/store/postgres/rows.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { builtFile } from '../server/build.js';

const available = await probePostgres();

describe.skipIf(!available)('sync on reading threads (compiled, as npm run sync runs it)', () => {
  const database = useScratchDatabase();
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-sync-threads-'));
  const dataDir = join(root, 'data');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stores exactly what the loader loads, in name order, rejections included', async () => {
    // 2,100 files: five chunks of 500, so the worker thread takes chunks while the main thread writes.
    writeCorpus({ count: 2100, out: dataDir, seed: 4, force: true });
    writeFileSync(join(dataDir, 'articles', '2015-01-zz-broken.json'), '{"id": "x",');
    const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost:3000' });
    const pool = createPool({ url: database.url() });
    try {
      await migrate(pool);
      const built = (await import(builtFile('src/store/postgres/sync.ts'))) as typeof import('../../src/store/postgres/sync.js');
      const report = await built.syncFolder(pool, { dataDir, site, threads: 1 });
      const loaded = buildSnapshot(site, loadArticleFiles(dataDir, site), 1);
      expect(report.written).toBe(loaded.articles.length);
      expect(report.rejected.map((e) => e.message)).toEqual(loaded.rejected.map((e) => e.message));
      const rows = await pool.query<{ article: unknown }>('SELECT article FROM articles ORDER BY published DESC, id ASC');
      expect(rows.rows.length).toBe(loaded.articles.length);
      rows.rows.forEach((row, i) => expect(JSON.stringify(articleFromJson(row.article))).toBe(JSON.stringify(articleData(loaded.articles[i]!))));
    } finally {
      await pool.end();
    }
  });
});
