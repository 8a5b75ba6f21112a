import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGenCorpus } from '../../src/cli/gen-corpus-command.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();
const NOW = new Date('2030-01-01T00:00:00Z');

describe.skipIf(!available)('wirefeed gen-corpus --database', () => {
  const database = useScratchDatabase();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const io = (env: Record<string, string>) => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { env, cwd: process.cwd(), stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), interactive: false } };
  };

  it('stores the corpus the files would hold: equal feed pages to the files backend, and a later sync of the files changes nothing', async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    const viaFiles = mkdtempSync(join(tmpdir(), 'wirefeed-corpus-'));
    dirs.push(viaFiles);
    const run = io({ DATABASE_URL: database.url() });
    expect(await runGenCorpus(['--out', viaFiles, '--count', '2500', '--seed', '7', '--database'], run.io)).toBe(0);
    expect(run.out.stdout).toMatch(/^gen-corpus: wrote 2500 articles .* \(\d+ articles\/s\)\n$/);
    expect(readdirSync(viaFiles)).toEqual(['site.json']);
    // The same corpus as files, next to it: what sync and the files backend would read.
    expect(await runGenCorpus(['--out', viaFiles, '--count', '2500', '--seed', '7'], io({}).io)).toBe(0);

    const site = loadSite(viaFiles, { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost' });
    const files = createSnapshotStore(buildSnapshot(site, loadArticleFiles(viaFiles, site), 1), () => NOW);
    const postgres = await createPostgresStore({ url: database.url(), site, dataDir: viaFiles, log: () => undefined });
    try {
      const directory = await files.directory(NOW);
      expect((await postgres.directory(NOW)).feeds).toEqual(directory.feeds);
      // The main feed and a spread of filtered feeds of every kind.
      for (const feed of directory.feeds.filter((_, i) => i % 7 === 0)) {
        const [a, b] = await Promise.all([files.feedPage(feed.filter, { limit: 20 }, NOW), postgres.feedPage(feed.filter, { limit: 20 }, NOW)]);
        expect(a?.articles.length, feed.path).toBeGreaterThan(0);
        expect(JSON.parse(JSON.stringify(b)), feed.path).toEqual(JSON.parse(JSON.stringify(a)));
      }
      const report = await syncFolder(pool, { dataDir: viaFiles, site });
      expect(report.unchanged).toBe(2500);
      expect(report.written).toBe(0);
    } finally {
      await postgres.close();
      await pool.end();
    }
  }, 120_000);

  it('needs DATABASE_URL', async () => {
    const run = io({});
    expect(await runGenCorpus(['--out', 'x', '--database'], run.io)).toBe(2);
    expect(run.out.stderr).toMatch(/--database needs DATABASE_URL/);
  });
});
