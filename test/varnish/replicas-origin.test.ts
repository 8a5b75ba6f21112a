import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord } from '../helpers/builders.js';
import { canRunCluster, freePort, startThrowawayCluster, type ThrowawayCluster } from '../helpers/throwaway-cluster.js';
import { SKIP_VARNISH_TESTS, startVarnish, type RunningVarnish } from '../helpers/varnish.js';
import { makeDataDir } from '../live/data-dir.js';
import { GZIP, put, sleep, startOrigin, until, type OriginProcess } from './origin-process.js';

/**
 * The shipped VCL in front of two replicas on one PostgreSQL cluster of
 * their own (the compose file's layout), purged once for the fleet from
 * the outbox through VARNISH_URLS; the cluster is stopped to check that
 * every feed Varnish holds is still served.
 */
const MAX_AGE = 4;
const SWR = 1;

describe.skipIf(SKIP_VARNISH_TESTS || !canRunCluster())('Varnish in front of two replicas on PostgreSQL', () => {
  let cluster: ThrowawayCluster;
  let data: ReturnType<typeof makeDataDir>;
  const replicas: OriginProcess[] = [];
  let varnish: RunningVarnish;
  const through = (path: string, headers: Record<string, string> = GZIP) => rawRequest(`${varnish.url}${path}`, headers);

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const pool = createPool({ url: cluster.url });
    await migrate(pool);
    await pool.end();
    data = makeDataDir();
    const varnishPort = await freePort();
    const env = { DATA_DIR: data.dir, DATABASE_URL: cluster.url, VARNISH_URLS: `http://127.0.0.1:${varnishPort}`, FEED_MAX_AGE: String(MAX_AGE), FEED_STALE_WHILE_REVALIDATE: String(SWR) };
    replicas.push(await startOrigin(env), await startOrigin(env));
    varnish = await startVarnish(replicas.map((replica) => replica.port), { port: varnishPort });
    for (const record of [makeRecord({ id: 'korea-1', headline: 'Korea one', tags: ['Korea'], published: '2024-05-01T00:00:00Z' }), makeRecord({ id: 'china-1', headline: 'China one', tags: ['China'], published: '2024-05-02T00:00:00Z' })]) {
      expect((await put(replicas[0]!.url, record)).status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    for (const replica of replicas) replica.kill();
    await varnish?.stop();
    cluster?.remove();
    data?.remove();
  });

  it('after a PUT through one replica the new headline is served through Varnish within 1 s, while an untouched feed is still a hit', async () => {
    await through('/tags/korea/rss.xml');
    await through('/tags/china/rss.xml');
    expect((await through('/tags/china/rss.xml')).headers['x-cache']).toBe('HIT');
    expect((await put(replicas[1]!.url, makeRecord({ id: 'korea-2', headline: 'Korea two', tags: ['Korea'], published: '2024-05-03T00:00:00Z' }))).status).toBe(201);
    const written = Date.now();
    const seen = await until('the new headline through Varnish', async () => ((await through('/tags/korea/rss.xml', {})).body.toString().includes('Korea two') ? Date.now() - written : undefined), 5000);
    expect(seen).toBeLessThanOrEqual(1000);
    expect((await through('/tags/china/rss.xml')).headers['x-cache']).toBe('HIT');
  }, 30_000);

  it('with the database stopped, every feed Varnish holds is still served, 200 or 304', async () => {
    const paths = ['/rss.xml', '/tags/korea/rss.xml', '/tags/china/rss.xml', '/tags/korea/feed.json', '/atom.xml'];
    const held = new Map<string, string>();
    for (const path of paths) {
      const response = await through(path);
      expect(response.status, path).toBe(200);
      held.set(path, String(response.headers.etag));
    }
    cluster.stop();
    try {
      for (let round = 0; round < 2; round++) {
        // Past max-age and stale-while-revalidate: Varnish asks the replicas, which answer from memory or fail.
        await sleep((MAX_AGE + SWR + 1) * 1000);
        for (const path of paths) {
          const response = await through(path);
          expect(response.status, `${path}: ${String(response.headers['x-cache'])}`).toBe(200);
          expect(response.headers.etag, path).toBe(held.get(path));
          expect((await through(path, { ...GZIP, 'if-none-match': held.get(path) ?? '' })).status, path).toBe(304);
        }
      }
    } finally {
      cluster.start();
    }
  }, 90_000);
});
