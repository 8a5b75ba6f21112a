import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ReadershipCounter } from '../../src/stats/counter.js';
import { addDays, type DayStats, type StatsStore } from '../../src/stats/day-stats.js';
import { startReadership } from '../../src/stats/flush.js';

const NOW = Date.parse('2026-06-01T10:00:00Z');

/** A store in memory that can be told to fail, as a full disk or a database away would. */
function memoryStore(): StatsStore & { failing: boolean; days: Map<string, DayStats> } {
  const days = new Map<string, DayStats>();
  return {
    failing: false,
    days,
    async add(list) {
      if (this.failing) throw new Error('ENOSPC: no space left on device');
      for (const d of list) days.set(d.day, addDays(days.get(d.day), d));
    },
    read: async (from, to) => [...days.values()].filter((d) => d.day >= from && d.day <= to),
    close: async () => undefined,
  };
}

const hit = (counter: ReadershipCounter, n: number) => {
  for (let i = 0; i < n; i++) counter.count({ url: '/rss.xml', headers: { 'user-agent': 'Feedbin feed-id:1 - 5 subscribers' } } as unknown as IncomingMessage, 304, 0);
};

describe('flushing the readership counts', () => {
  it('flushes on its interval without being asked', async () => {
    const store = memoryStore();
    const counter = new ReadershipCounter({ isFeed: () => true, addressOf: () => '', now: () => NOW });
    const readership = startReadership({ counter, store, log: () => undefined, intervalMs: 20, now: () => NOW });
    hit(counter, 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(store.days.get('2026-06-01')?.feeds[0]?.requests).toBe(3);
    expect(readership.today().map((f) => [f.feed, f.subscribers])).toEqual([['/rss.xml', 5]]);
    await readership.stop();
  });

  it('a failed flush keeps the counts, warns once, and the next flush stores them all', async () => {
    const store = memoryStore();
    const lines: string[] = [];
    const counter = new ReadershipCounter({ isFeed: () => true, addressOf: () => '', now: () => NOW });
    const readership = startReadership({ counter, store, log: (line) => void lines.push(line), intervalMs: 3_600_000, now: () => NOW });
    store.failing = true;
    hit(counter, 2);
    await readership.flush();
    hit(counter, 1);
    await readership.flush();
    expect(lines).toEqual(['stats: cannot store the counts (kept in memory, retried every minute): ENOSPC: no space left on device']);
    store.failing = false;
    hit(counter, 1);
    await readership.stop();
    expect(store.days.get('2026-06-01')?.feeds[0]?.requests).toBe(4);
    expect(lines[1]).toBe('stats: counts are stored again');
  });
});
