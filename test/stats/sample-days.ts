import type { IncomingMessage } from 'node:http';
import { ReadershipCounter } from '../../src/stats/counter.js';
import type { StatsStore } from '../../src/stats/day-stats.js';

/** Reader apps and hosted readers as they poll a newsroom's feeds (real User-Agents). */
const APPS = ['NetNewsWire (RSS Reader; https://netnewswire.com/)', 'Reeder/5050001 CFNetwork/1408.0.4 Darwin/22.5.0', 'FreshRSS/1.21.0 (Linux; https://freshrss.org)'];
const FEEDS = ['/rss.xml', '/atom.xml', '/sections/korea/rss.xml', '/tags/economy/feed.json'];

/**
 * A week of counted traffic (`days` UTC days ending `lastDay`), counted by
 * the real counter and flushed into `store`: each day hosted readers whose
 * counts grow, reader apps from a few hundred addresses, browsers and a crawler.
 */
export async function fillSampleWeek(store: StatsStore, lastDay: string, days = 7): Promise<void> {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  for (let d = days - 1; d >= 0; d--) {
    const time = { now: end - d * 86_400_000 + 3_600_000 };
    const counter = new ReadershipCounter({ isFeed: () => true, addressOf: (r) => (r as unknown as { address: string }).address, now: () => time.now, salt: () => 1000 + d });
    const hit = (feed: string, agent: string, address: string, status: number) => counter.count({ url: feed, headers: { 'user-agent': agent }, address } as unknown as IncomingMessage, status, status === 200 ? 48_000 : 0);
    FEEDS.forEach((feed, f) => {
      const scale = FEEDS.length - f;
      hit(feed, `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${scale * 110 + (days - d) * 3} subscribers; )`, '203.0.113.1', 200);
      hit(feed, `Mozilla/5.0 (compatible; inoreader.com; ${scale * 30 + (days - d)} subscribers)`, '203.0.113.2', 304);
      hit(feed, `Feedbin feed-id:${1697787 + f} - ${scale * 12} subscribers`, '203.0.113.3', 304);
      for (let i = 0; i < scale * 40 + (d % 3) * 10; i++) {
        const address = `198.51.${f}.${i % 250}`;
        for (let poll = 0; poll < 4; poll++) hit(feed, APPS[i % APPS.length] as string, address, poll === 0 ? 200 : 304);
      }
      for (let i = 0; i < 5; i++) hit(feed, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0', `192.0.2.${i}`, 200);
      hit(feed, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', '66.249.66.1', 200);
    });
    await store.add(counter.take());
  }
}
