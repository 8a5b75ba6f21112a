import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReadershipOf, statsStoreOf } from '../../src/assemble.js';
import { runStats } from '../../src/cli/stats.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { createFilesStats } from '../../src/stats/files-stats.js';
import { createPostgresStats } from '../../src/stats/postgres-stats.js';
import { feedsForGauges, type FeedSummary } from '../../src/stats/report.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createScratchDatabase, probePostgres } from '../helpers/postgres.js';
import { makeSnapshot } from '../helpers/builders.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { fillSampleWeek } from './sample-days.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-stats-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function io(env: Record<string, string>, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env, cwd, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), interactive: false } };
}

describe('STATS', () => {
  it('is on by default; STATS=false turns counting off; anything else names the variable', () => {
    expect(loadConfig({}).stats).toBe(true);
    expect(statsStoreOf(loadConfig({ STATS: 'false' }))).toBeUndefined();
    expect(() => loadConfig({ STATS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ STATS: 'maybe' })).toThrow(/STATS/);
  });

  it('without a stats store the app counts nothing', () => {
    expect(createApp({ store: createSnapshotStore(makeSnapshot([])) }).readership).toBeUndefined();
  });
});

describe('/metrics subscriber gauges', () => {
  it('show the main feed and the 20 largest feeds only', () => {
    const feed = (path: string, subscribers: number): FeedSummary => ({ feed: path, subscribers, hostedSubscribers: subscribers, individual: 0, requests: 1, notModifiedShare: 0 });
    const feeds = [feed('/rss.xml', 1), feed('/atom.xml', 0), ...Array.from({ length: 30 }, (_, i) => feed(`/tags/t${i}/rss.xml`, 1000 - i))];
    const shown = feedsForGauges(feeds).map((f) => f.feed);
    expect(shown).toHaveLength(22);
    expect(shown.slice(0, 2)).toEqual(['/rss.xml', '/atom.xml']);
    expect(shown).toContain('/tags/t19/rss.xml');
    expect(shown).not.toContain('/tags/t20/rss.xml');
  });

  it('read today’s estimates after a flush', async () => {
    const dir = tempDir();
    const stats = createFilesStats(dir);
    const today = new Date().toISOString().slice(0, 10);
    await fillSampleWeek(stats, today, 1);
    const metrics = createMetrics({ processMetrics: false });
    const readership = startReadershipOf(createApp({ store: createSnapshotStore(makeSnapshot([])), stats }).readership, stats, () => undefined, metrics);
    await readership?.flush();
    const body = (await metrics.render()).body;
    // Feedly 443 + Inoreader 121 + Feedbin 48 (sample-days.ts, one day).
    expect(body).toContain('wirefeed_feed_subscribers{feed="/rss.xml",source="hosted"} 612');
    expect(body).toMatch(/wirefeed_feed_subscribers\{feed="\/rss\.xml",source="individual"\} 1[56]\d/);
    await readership?.stop();
  });
});

const postgres = await probePostgres();
describe.each([{ name: 'files' }, ...(postgres ? [{ name: 'postgres' }] : [])])('wirefeed stats on the $name backend', ({ name }) => {
  it('prints feeds by subscribers with requests and the 304 share', async () => {
    const dir = tempDir();
    const scratch = name === 'postgres' ? await createScratchDatabase() : undefined;
    try {
      if (scratch) {
        const pool = createPool({ url: scratch.url, size: 1 });
        await migrate(pool);
        await pool.end();
      }
      const store = scratch ? createPostgresStats(scratch.url) : createFilesStats(dir);
      await fillSampleWeek(store, '2026-06-07');
      await store.close();
      const env = { DATA_DIR: dir, ...(scratch ? { DATABASE_URL: scratch.url } : {}) };
      const run = io(env, dir);
      expect(await runStats(['--from', '2026-06-01', '--to', '2026-06-07'], run.io)).toBe(0);
      const lines = run.out.join('').trim().split('\n');
      expect(lines[0]).toBe('Subscribers on 2026-06-07; requests and 304 share from 2026-06-01 to 2026-06-07 (UTC)');
      expect(lines[1]).toMatch(/^feed\s+subscribers\s+hosted\s+apps\s+requests\s+304 share$/);
      expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['/rss.xml', '/atom.xml', '/sections/korea/rss.xml', '/tags/economy/feed.json']);
      // /rss.xml on the last day: Feedly 461, Inoreader 127, Feedbin 48; about 160 reader apps.
      const [, subscribers, hosted, apps] = (lines[2] ?? '').split(/\s+/);
      expect(Number(hosted)).toBe(461 + 127 + 48);
      expect(Math.abs(Number(apps) - 160)).toBeLessThanOrEqual(160 * 0.033);
      expect(Number(subscribers)).toBe(Number(hosted) + Number(apps));
      const empty = io(env, dir);
      expect(await runStats(['--from', '2020-01-01', '--to', '2020-01-02'], empty.io)).toBe(0);
      expect(empty.out.join('')).toBe('stats: nothing counted from 2020-01-01 to 2020-01-02\n');
      const bad = io(env, dir);
      expect(await runStats(['--from', 'last week'], bad.io)).toBe(2);
      expect(bad.err.join('')).toContain('--from must be a UTC day');
    } finally {
      await scratch?.drop();
    }
  });
});
