import type { Request, Response, Router } from 'express';
import type { StatsStore } from '../stats/day-stats.js';
import { reportDays, shiftDay } from '../stats/report.js';
import type { ApiKey } from './api-keys.js';
import { HttpError } from './errors.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A year and a day at most: a range is read whole, so its length is bounded. */
const MAX_DAYS = 366;

/**
 * GET /api/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&feed=/rss.xml: readership by
 * day and feed (stats/report.ts), for a key with the `stats` scope or
 * INGEST_TOKEN. Defaults: the 7 days ending today (UTC); every feed.
 */
export function addStatsRoute(router: Router, stats: StatsStore, clock: () => Date): void {
  router.get('/stats', async (req: Request, res: Response) => {
    const key = res.locals.apiKey as ApiKey | undefined;
    if (key && key.stats !== true) throw new HttpError(403, `Key "${key.id}" lacks the scope stats: it may not read the readership counts (add "stats": true to it in KEYS_FILE).`);
    const param = (name: string): string | undefined => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    const dayParam = (name: string, fallback: string): string => {
      const value = param(name) ?? fallback;
      if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new HttpError(400, `${name} must be a UTC day as YYYY-MM-DD, got ${JSON.stringify(value.slice(0, 40))}.`);
      return value;
    };
    const to = dayParam('to', clock().toISOString().slice(0, 10));
    const from = dayParam('from', shiftDay(to, -6));
    if (from > to) throw new HttpError(400, `from (${from}) is after to (${to}).`);
    if (shiftDay(from, MAX_DAYS - 1) < to) throw new HttpError(400, `Ask for at most ${MAX_DAYS} days at once (from ${from} to ${to} is more).`);
    const feed = param('feed');
    // Six days before `from` are read for the 7-day figure of the first days.
    const days = await stats.read(shiftDay(from, -6), to);
    // Requests per partner feed (/partners/{id}/…), by day: counted by path prefix, apart from the feeds.
    const partners = days.filter((d) => d.day >= from).flatMap((d) => Object.entries(d.partners).map(([partner, requests]) => ({ day: d.day, partner, requests })));
    res.status(200).json({ from, to, ...(feed === undefined ? {} : { feed }), days: reportDays(days, from, feed), partners });
  });
}
