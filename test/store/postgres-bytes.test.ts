import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { FeedCache } from '../../src/http/feed-cache.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import type { Store } from '../../src/store/store.js';
import { rawRequest } from '../http/feed-client.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { loadSample, SAMPLE_DIR, SAMPLE_NOW } from '../helpers/sample.js';
import { listen } from '../helpers/server.js';
import { FORMATS, SERVED_FORMATS } from '../../src/render/render.js';

const available = await probePostgres();

describe.skipIf(!available)('the sample data served from PostgreSQL and from the files', () => {
  const database = useScratchDatabase();
  const sample = loadSample();
  let pgStore: Store;
  const closers: (() => Promise<void>)[] = [];
  let files: string;
  let postgres: string;

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await syncFolder(pool, { dataDir: SAMPLE_DIR, site: sample.site });
    await pool.end();
    pgStore = await createPostgresStore({ url: database.url(), site: sample.site, dataDir: SAMPLE_DIR });
    const start = async (store: Store): Promise<string> => {
      const app = createApp({ store, clock: () => SAMPLE_NOW, log: () => undefined, feedCache: new FeedCache({ maxEntries: 100, maxBytes: 1 << 24 }) });
      const server = await listen(app);
      closers.push(server.close);
      return server.url;
    };
    files = await start(createSnapshotStore(sample, () => SAMPLE_NOW));
    postgres = await start(pgStore);
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    await pgStore?.close();
  });

  it('gives byte-identical feeds and ETags in every format, for every feed and page', async () => {
    const directory = await pgStore.directory(SAMPLE_NOW);
    const paths = directory.feeds.flatMap((feed) => SERVED_FORMATS.map((format) => FORMATS[format].fileName).flatMap((file) => [`${feed.path}/${file}`, `${feed.path}/${file}?limit=1`, `${feed.path}/${file}?limit=2&since=2019-01-01T00:00:00Z`]));
    expect(paths.length).toBeGreaterThan(60);
    const differing: string[] = [];
    for (const path of paths) {
      const [a, b] = await Promise.all([rawRequest(`${files}${path}`), rawRequest(`${postgres}${path}`)]);
      expect(a.status, path).toBe(200);
      if (b.status !== a.status || !a.body.equals(b.body) || a.headers.etag !== b.headers.etag) differing.push(`${path} ${String(a.headers.etag)} ${String(b.headers.etag)}`);
    }
    expect(differing).toEqual([]);
    // A few hundred requests to each backend: about 10 s on an idle machine, three times that beside other suites.
  }, 90_000);
});
