import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ReadershipCounter } from '../../src/stats/counter.js';
import { addDays, type DayStats } from '../../src/stats/day-stats.js';
import { reportDays } from '../../src/stats/report.js';

const NNW = 'NetNewsWire (RSS Reader; https://netnewswire.com/)';
const req = (url: string, agent: string, address: string) => ({ url, headers: { 'user-agent': agent }, address }) as unknown as IncomingMessage & { address: string };

function counterAt(time: { now: number }, salts: number[]) {
  return new ReadershipCounter({ isFeed: (path) => path.endsWith('.xml'), addressOf: (r) => (r as unknown as { address: string }).address, now: () => time.now, salt: () => salts.shift() ?? 99 });
}

/** What a store would hold after these flushes (the files backend's rule, addDays). */
function stored(...flushes: DayStats[][]): DayStats[] {
  const days = new Map<string, DayStats>();
  for (const flush of flushes) for (const d of flush) days.set(d.day, addDays(days.get(d.day), d));
  return [...days.values()];
}

describe('the readership counter', () => {
  it('counts each UTC day apart, with a new salt each day; yesterday is flushed once more, then forgotten; an idle minute writes nothing', () => {
    const time = { now: Date.parse('2026-06-01T23:59:00Z') };
    const counter = counterAt(time, [1, 2]);
    counter.count(req('/rss.xml', NNW, '192.0.2.1'), 200, 1000);
    time.now = Date.parse('2026-06-02T00:01:00Z');
    counter.count(req('/rss.xml', NNW, '192.0.2.1'), 304, 0);
    const taken = counter.take();
    expect(taken.map((d) => [d.day, d.feeds[0]?.requests])).toEqual([
      ['2026-06-01', 1],
      ['2026-06-02', 1],
    ]);
    const reports = reportDays(stored(taken), '2026-06-01');
    expect(reports.map((r) => [r.day, r.individual, r.bytes])).toEqual([
      ['2026-06-01', 1, 1000],
      ['2026-06-02', 1, 0],
    ]);
    // The 7-day figure is the mean of the days the feed was counted: no client is matched across days.
    expect(reports[1]?.individual7d).toBe(1);
    // Nothing counted since: an idle minute writes nothing.
    expect(counter.take()).toEqual([]);
    counter.count(req('/rss.xml', NNW, '192.0.2.2'), 304, 0);
    expect(counter.take().map((d) => [d.day, d.feeds[0]?.requests])).toEqual([['2026-06-02', 1]]);
  });

  it('a flush that failed is given back and stored whole by the next; counts are never added twice', () => {
    const time = { now: Date.parse('2026-06-01T10:00:00Z') };
    const counter = counterAt(time, [5]);
    for (let i = 0; i < 5; i++) counter.count(req('/rss.xml', NNW, `192.0.2.${i}`), 200, 10);
    const failed = counter.take();
    counter.giveBack(failed);
    counter.count(req('/rss.xml', NNW, '192.0.2.9'), 200, 10);
    const [report] = reportDays(stored(counter.take()), '2026-06-01');
    expect([report?.requests, report?.bytes, report?.individual]).toEqual([6, 60, 6]);
  });

  it('a restart forgets the salt: a reader polling before and after it counts twice that day (docs/readership.md says so)', () => {
    const time = { now: Date.parse('2026-06-01T10:00:00Z') };
    const before = counterAt(time, [11]);
    before.count(req('/rss.xml', NNW, '192.0.2.1'), 200, 10);
    before.count(req('/rss.xml', NNW, '192.0.2.1'), 304, 0);
    const after = counterAt(time, [12]);
    after.count(req('/rss.xml', NNW, '192.0.2.1'), 304, 0);
    const [report] = reportDays(stored(before.take(), after.take()), '2026-06-01');
    expect(report?.individual).toBe(2);
    expect(report?.requests).toBe(3);
  });

  it('counts only feeds that answered, and partner requests by path prefix', () => {
    const time = { now: Date.parse('2026-06-01T10:00:00Z') };
    const counter = counterAt(time, [3]);
    counter.count(req('/tag/made-up/rss.xml', NNW, '192.0.2.1'), 404, 50);
    counter.count(req('/about.html', NNW, '192.0.2.1'), 200, 50);
    counter.count(req('/partners/acme/rss.xml?key=1', NNW, '192.0.2.1'), 200, 50);
    counter.count(req('/partners/acme/atom.xml', NNW, '192.0.2.1'), 304, 0);
    counter.count(req('/partners/nobody/rss.xml', NNW, '192.0.2.1'), 404, 0);
    counter.count(req('/rss.xml?utm_source=x', NNW, '192.0.2.1'), 200, 50);
    const [day] = counter.take();
    expect(day?.feeds.map((f) => f.feed)).toEqual(['/rss.xml']);
    expect(day?.partners).toEqual({ acme: 2 });
  });
});
