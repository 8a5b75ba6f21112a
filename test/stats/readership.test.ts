import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createServer } from '../../src/http/server.js';
import { checkApiResponses } from '../helpers/openapi-check.js';
import { hashSecret } from '../../src/http/api-keys.js';
import type { StatsStore } from '../../src/stats/day-stats.js';
import { createFilesStats, STATS_DIR } from '../../src/stats/files-stats.js';
import { startReadership } from '../../src/stats/flush.js';
import type { FeedDayReport } from '../../src/stats/report.js';
import { createPostgresStats } from '../../src/stats/postgres-stats.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { BACKENDS, useBackend, type OpenedStore } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { useScratchDatabase } from '../helpers/postgres.js';

/**
 * Real User-Agents from several client addresses (127.0.0.x: every one is
 * this machine's loopback), through the server as a reader meets it: the
 * first request rendered by Express, the rest replayed by the fast path,
 * conditional GETs answered 304. Counted, flushed, the app replaced by a
 * new one (a restart: a new salt, nothing in memory), counted and flushed
 * again; the estimates are read back through GET /api/stats.
 */
const TODAY = '2026-06-01';
const clock = () => new Date(`${TODAY}T12:00:00Z`);
const TOKEN = 'stats-test-token-0123456789';
const NO_STATS_SECRET = 'a-key-without-the-stats-scope-0123';
const STATS_SECRET = 'a-key-with-the-stats-scope-0123456';
const APPS = ['NetNewsWire (RSS Reader; https://netnewswire.com/)', 'Reeder/5050001 CFNetwork/1408.0.4 Darwin/22.5.0'];
const HOSTED = [
  'Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)',
  'NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/6031234/test (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.1.2 Safari/605.1.15)',
  'Feedbin feed-id:1697787 - 102 subscribers',
  'Mozilla/5.0 (compatible; theoldreader.com; 3 subscribers; feed-id=0719795c4d27c784217b0bc0)',
  'Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 6 subscribers)',
];
const feedly = (n: number) => `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; )`;
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface Answer {
  status: number;
  etag: string | undefined;
}

function get(base: string, path: string, from: string, agent: string, etag?: string, auth?: string): Promise<Answer & { body: string }> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: each reader is its own connection from its own address.
    const req = request(`${base}${path}`, { agent: false, localAddress: from, headers: { 'user-agent': agent, ...(etag ? { 'if-none-match': etag } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A reader polling like a reader: a first GET, then conditional GETs with the ETag it got (304s). */
async function poll(base: string, path: string, from: string, agent: string, times: number): Promise<void> {
  let etag: string | undefined;
  for (let i = 0; i < times; i++) etag = (await get(base, path, from, agent, etag)).etag ?? etag;
}

describe.each(BACKENDS)('readership on the $name backend', (backend) => {
  const harness = useBackend(backend);
  const scratch = backend.name === 'postgres' ? useScratchDatabase() : undefined;
  let opened: OpenedStore;
  let stats: StatsStore;
  let server: ReturnType<typeof createServer>;
  let base = '';
  let readership: ReturnType<typeof startReadership>;
  let fastHits = 0;

  /** A server and a counter as main.ts starts them; a second call is a restart. */
  const start = async () => {
    stats = scratch ? createPostgresStats(scratch.url()) : createFilesStats(opened.dataDir);
    const keys = [
      { id: 'desk', hash: hashSecret(NO_STATS_SECRET), delete: false, audit: false },
      { id: 'audience', hash: hashSecret(STATS_SECRET), delete: false, audit: false, stats: true },
    ];
    const app = createApp({ store: opened.store, clock, stats, ingest: { token: TOKEN, keys, maxBytes: 100_000 } });
    readership = startReadership({ counter: app.readership!, store: stats, log: () => undefined, now: () => clock().getTime() });
    // Its /api/stats answers are checked against /api/openapi.json as every API test's are (test/helpers/openapi-check.ts).
    server = createServer(checkApiResponses(app.listener));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return app;
  };
  const stop = async (app: ReturnType<typeof createApp>) => {
    fastHits += app.fastPath.hits;
    await readership.stop();
    await new Promise((resolve) => server.close(resolve));
  };
  const day = async (feed: string) => {
    const answer = await get(base, `/api/stats?from=${TODAY}&to=${TODAY}&feed=${encodeURIComponent(feed)}`, '127.0.0.1', 'curl/8', undefined, TOKEN);
    expect(answer.status).toBe(200);
    const [found] = (JSON.parse(answer.body) as { days: FeedDayReport[] }).days;
    if (found === undefined) throw new Error(`nothing counted for ${feed}: ${answer.body}`);
    return found;
  };

  beforeAll(async () => {
    if (scratch) {
      const pool = createPool({ url: scratch.url(), size: 1 });
      await migrate(pool);
      await pool.end();
    }
    opened = await harness.open([makeRecord({ id: 'first-story' }), makeRecord({ id: 'second-story', published: '2024-05-02T10:00:00+09:00' })]);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('counts hosted readers by what they report, reader apps once per address and agent, browsers and crawlers not at all; across a flush and a restart', async () => {
    let app = await start();
    // 6 addresses × 2 apps = 12 individual readers of /rss.xml, 3 polls each; 2 of /atom.xml.
    for (let host = 2; host <= 7; host++) for (const agent of APPS) await poll(base, '/rss.xml', `127.0.0.${host}`, agent, 3);
    for (const agent of APPS) await poll(base, '/atom.xml', '127.0.0.2', agent, 2);
    await poll(base, '/rss.xml', '127.0.0.30', feedly(462), 2);
    for (const agent of HOSTED) await poll(base, '/rss.xml', '127.0.0.31', agent, 2);
    await poll(base, '/rss.xml', '127.0.0.30', feedly(470), 1);
    await poll(base, '/rss.xml', '127.0.0.40', CHROME, 2);
    await poll(base, '/rss.xml', '127.0.0.41', GOOGLEBOT, 1);
    await readership.flush();

    let rss = await day('/rss.xml');
    // Feedly's last count of the day (470), not its first.
    expect(rss.hostedSubscribers).toBe(470 + 114 + 27 + 102 + 3 + 6);
    // A HyperLogLog estimate: exact unless two of the 12 share a register (1.6 % a run; the salt is random).
    expect(Math.abs(rss.individual - 12)).toBeLessThanOrEqual(1);
    expect(rss.subscribers).toBe(722 + rss.individual);
    expect(rss.requests).toBe(36 + 3 + 10 + 2 + 1);
    // Apps 12 × 2, Feedly 1, the other hosted readers 5, Chrome 1 (it sent the ETag back), Googlebot 0.
    expect(rss.notModified).toBe(24 + 1 + 5 + 1);
    expect(rss.byKind).toEqual({ hosted: 13, app: 36, browser: 2, crawler: 1, unknown: 0 });
    expect((await day('/atom.xml')).individual).toBeGreaterThanOrEqual(1);
    // The repeat requests were replayed by the fast path, and counted all the same.
    expect(app.fastPath.hits).toBeGreaterThan(30);

    // A restart: the next process knows nothing of the first's clients or salt.
    await stop(app);
    app = await start();
    for (let host = 10; host <= 13; host++) await poll(base, '/rss.xml', `127.0.0.${host}`, APPS[0] as string, 2);
    await poll(base, '/rss.xml', '127.0.0.30', feedly(480), 1);
    await readership.flush();
    rss = await day('/rss.xml');
    expect(rss.hostedSubscribers).toBe(480 + 114 + 27 + 102 + 3 + 6);
    expect(Math.abs(rss.individual - 16)).toBeLessThanOrEqual(1);
    expect(rss.requests).toBe(52 + 8 + 1);
    await stop(app);
    expect(fastHits).toBeGreaterThan(30);
  });

  it('stores no client address, on disk or in the database', async () => {
    let stored: string;
    if (scratch) {
      const pool = createPool({ url: scratch.url(), size: 1 });
      const rows = await Promise.all(['readership_feed_days', 'readership_fetchers', 'readership_partners'].map((t) => pool.query(`SELECT t::text AS row FROM ${t} t`)));
      await pool.end();
      stored = rows.flatMap((r) => r.rows.map((row: { row: string }) => row.row)).join('\n');
    } else {
      const dir = join(opened.dataDir, STATS_DIR);
      stored = readdirSync(dir).map((name) => readFileSync(join(dir, name), 'latin1')).join('\n');
    }
    expect(stored).toContain('/rss.xml');
    expect(stored).not.toMatch(/127\.0\.0\.\d/);
    expect(stored).not.toMatch(/7f00|NetNewsWire|Reeder/i);
  });

  it('GET /api/stats is for INGEST_TOKEN and keys with the stats scope', async () => {
    const app = await start();
    const ask = (secret: string) => get(base, `/api/stats?from=${TODAY}&to=${TODAY}`, '127.0.0.1', 'curl/8', undefined, secret);
    expect((await ask(NO_STATS_SECRET)).status).toBe(403);
    expect((await ask(NO_STATS_SECRET)).body).toContain('lacks the scope stats');
    const answer = await ask(STATS_SECRET);
    expect(answer.status).toBe(200);
    const days = (JSON.parse(answer.body) as { days: { feed: string; individual7d: number }[] }).days;
    expect(days.map((d) => d.feed).sort()).toEqual(['/atom.xml', '/rss.xml']);
    expect((await get(base, '/api/stats?from=2026-06-02&to=2026-06-01', '127.0.0.1', 'curl/8', undefined, TOKEN)).status).toBe(400);
    expect((await get(base, '/api/stats?from=yesterday', '127.0.0.1', 'curl/8', undefined, TOKEN)).status).toBe(400);
    await stop(app);
  });
});
