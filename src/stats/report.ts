import { DAY_MS, type DayStats, type FeedDay } from './day-stats.js';
import { estimateSketch } from './sketch.js';

/** One feed on one day as the API, the terminal table and the report show it. */
export interface FeedDayReport extends Pick<FeedDay, 'feed' | 'requests' | 'ok' | 'notModified' | 'bytes' | 'byKind'> {
  readonly day: string;
  /** Each hosted reader's last count of the day. */
  readonly hosted: readonly { readonly fetcher: string; readonly feedId: string; readonly subscribers: number }[];
  readonly hostedSubscribers: number;
  /** Distinct individual reader apps that day (HyperLogLog estimate, ±1.6 % standard error). */
  readonly individual: number;
  /** The mean of `individual` over the 7 days ending this day on which the feed was counted (see docs/readership.md). */
  readonly individual7d: number;
  /** hostedSubscribers + individual: the day's subscriber estimate. */
  readonly subscribers: number;
}

/** `day` moved by `days` (YYYY-MM-DD, UTC). */
export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The estimates for every feed and day from `from` on (days before it are
 * read only for the 7-day figure: pass six more). The rules are FeedPress's
 * (docs/readership.md): hosted readers count what they report, each
 * individual reader app counts one, browsers and crawlers count none.
 */
export function reportDays(days: readonly DayStats[], from: string, feed?: string): FeedDayReport[] {
  const individual = new Map<string, number>();
  for (const d of days) for (const f of d.feeds) individual.set(`${d.day}\n${f.feed}`, f.clients === undefined ? 0 : estimateSketch(f.clients));
  const out: FeedDayReport[] = [];
  for (const d of days) {
    if (d.day < from) continue;
    for (const f of d.feeds) {
      if (feed !== undefined && f.feed !== feed) continue;
      const week: number[] = [];
      for (let back = 0; back < 7; back++) {
        const n = individual.get(`${shiftDay(d.day, -back)}\n${f.feed}`);
        if (n !== undefined) week.push(n);
      }
      const hosted = f.fetchers.map(({ fetcher, feedId, subscribers }) => ({ fetcher, feedId, subscribers }));
      const hostedSubscribers = hosted.reduce((sum, r) => sum + r.subscribers, 0);
      const mine = individual.get(`${d.day}\n${f.feed}`) ?? 0;
      out.push({
        day: d.day,
        feed: f.feed,
        requests: f.requests,
        ok: f.ok,
        notModified: f.notModified,
        bytes: f.bytes,
        byKind: f.byKind,
        hosted,
        hostedSubscribers,
        individual: mine,
        individual7d: Math.round(week.reduce((a, b) => a + b, 0) / week.length),
        subscribers: hostedSubscribers + mine,
      });
    }
  }
  return out;
}

/** One feed over a range: its latest day's subscribers, and its requests and 304 share over the range. */
export interface FeedSummary {
  readonly feed: string;
  readonly subscribers: number;
  readonly hostedSubscribers: number;
  readonly individual: number;
  readonly requests: number;
  /** 304s over requests answered 200 or 304; 0 when none. */
  readonly notModifiedShare: number;
}

/** The feeds /metrics shows: the main feed's formats (a path of one segment) and the `largest` others with the most subscribers. */
export function feedsForGauges(feeds: readonly FeedSummary[], largest = 20): FeedSummary[] {
  const main = feeds.filter((f) => f.feed.lastIndexOf('/') === 0);
  return [...main, ...feeds.filter((f) => f.feed.lastIndexOf('/') !== 0).slice(0, largest)];
}

/** Feeds by subscribers (most first, then by path), for the terminal table and /metrics. */
export function summariseFeeds(reports: readonly FeedDayReport[]): FeedSummary[] {
  const byFeed = new Map<string, { latest: FeedDayReport; requests: number; ok: number; notModified: number }>();
  for (const r of reports) {
    const s = byFeed.get(r.feed);
    if (s === undefined) byFeed.set(r.feed, { latest: r, requests: r.requests, ok: r.ok, notModified: r.notModified });
    else {
      if (r.day >= s.latest.day) s.latest = r;
      s.requests += r.requests;
      s.ok += r.ok;
      s.notModified += r.notModified;
    }
  }
  return [...byFeed.entries()]
    .map(([feed, s]) => ({
      feed,
      subscribers: s.latest.subscribers,
      hostedSubscribers: s.latest.hostedSubscribers,
      individual: s.latest.individual,
      requests: s.requests,
      notModifiedShare: s.ok + s.notModified === 0 ? 0 : s.notModified / (s.ok + s.notModified),
    }))
    .sort((a, b) => b.subscribers - a.subscribers || (a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0));
}
