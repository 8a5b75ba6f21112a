import type { IncomingMessage } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReadershipCounter } from '../../src/stats/counter.js';
import { createPostgresStats } from '../../src/stats/postgres-stats.js';
import { reportDays } from '../../src/stats/report.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const postgres = await probePostgres();
const NNW = 'NetNewsWire (RSS Reader; https://netnewswire.com/)';

/** Replicas on one database: each flushes its own counts into the same rows, at the same moment. */
describe.skipIf(!postgres)('readership on PostgreSQL with several replicas', () => {
  const scratch = useScratchDatabase();
  beforeAll(async () => {
    const pool = createPool({ url: scratch.url(), size: 1 });
    await migrate(pool);
    await pool.end();
  });

  it('adds up what every replica counted, flushing at once, and keeps the later report of a hosted reader', async () => {
    const feeds = ['/rss.xml', '/atom.xml', '/tags/economy/rss.xml'];
    const replicas = [0, 1, 2].map((r) => {
      const time = { now: Date.parse('2026-06-01T10:00:00Z') + r };
      const counter = new ReadershipCounter({ isFeed: () => true, addressOf: (req) => (req as unknown as { address: string }).address, now: () => time.now, salt: () => 17 + r });
      return { counter, stats: createPostgresStats(scratch.url()), time };
    });
    for (let round = 0; round < 3; round++) {
      replicas.forEach(({ counter, time }, r) => {
        time.now += 60_000;
        // Each replica sees the feeds in another order: their flushes lock rows in path order all the same.
        for (const feed of r % 2 === 0 ? feeds : [...feeds].reverse()) {
          counter.count({ url: feed, headers: { 'user-agent': `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${100 + 10 * r + round} subscribers; )` } } as unknown as IncomingMessage, 304, 0);
          // 20 reader apps a replica, none shared: 60 in all.
          for (let i = 0; i < 20; i++) counter.count({ url: feed, headers: { 'user-agent': NNW }, address: `198.51.100.${r * 20 + i}` } as unknown as IncomingMessage, 200, 100);
        }
      });
      await Promise.all(replicas.map(({ counter, stats }) => stats.add(counter.take())));
    }
    const [first] = replicas;
    const reports = reportDays(await first!.stats.read('2026-06-01', '2026-06-01'), '2026-06-01');
    expect(reports.map((r) => r.feed).sort()).toEqual([...feeds].sort());
    for (const report of reports) {
      expect(report.requests).toBe(3 * 3 * 21);
      expect(report.bytes).toBe(3 * 3 * 20 * 100);
      // Replica 2 reported last (its clock is 2 ms ahead): its last count, 122.
      expect(report.hosted).toEqual([{ fetcher: 'Feedly', feedId: '', subscribers: 122 }]);
      expect(Math.abs(report.individual - 60)).toBeLessThanOrEqual(1);
    }
    await Promise.all(replicas.map(({ stats }) => stats.close()));
  });
});
