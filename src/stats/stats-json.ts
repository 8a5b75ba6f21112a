import type { DayStats, FeedDay } from './day-stats.js';
import { emptyKinds } from './day-stats.js';
import { decodeSketch, encodeSketch } from './sketch.js';
import { READER_KINDS } from './user-agents.js';

/** A stats day file or row that cannot be read: names the file (or row) and what is wrong. */
export class StatsFileError extends Error {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = 'StatsFileError';
  }
}

/** A day as JSON: the day files' format. Sketches as encodeSketch writes them; no address or hash of one appears, only registers. */
export function dayToJson(day: DayStats): string {
  return `${JSON.stringify({ day: day.day, feeds: day.feeds.map(feedToJson), partners: day.partners }, null, 1)}\n`;
}

function feedToJson(feed: FeedDay): Record<string, unknown> {
  const { clients, ...rest } = feed;
  return { ...rest, ...(clients === undefined ? {} : { clients: encodeSketch(clients) }) };
}

/** A day file's text back; `where` names the file in the error. */
export function dayFromJson(text: string, where: string): DayStats {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StatsFileError(where, `not JSON (${(error as Error).message})`);
  }
  const raw = value as { day?: unknown; feeds?: unknown; partners?: unknown };
  if (typeof raw?.day !== 'string' || !Array.isArray(raw.feeds)) throw new StatsFileError(where, 'not a stats day (needs "day" and "feeds")');
  const feeds = raw.feeds.map((f, i) => feedFromJson(f, `${where}: feeds[${i}]`));
  const partners: Record<string, number> = {};
  for (const [id, n] of Object.entries((raw.partners ?? {}) as Record<string, unknown>)) if (typeof n === 'number') partners[id] = n;
  return { day: raw.day, feeds, partners };
}

function feedFromJson(value: unknown, where: string): FeedDay {
  const f = value as Record<string, unknown>;
  if (typeof f?.feed !== 'string') throw new StatsFileError(where, 'has no "feed"');
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const byKind = emptyKinds();
  const kinds = (f.byKind ?? {}) as Record<string, unknown>;
  for (const kind of READER_KINDS) byKind[kind] = num(kinds[kind]);
  const fetchers = Array.isArray(f.fetchers)
    ? f.fetchers.map((r: Record<string, unknown>) => ({ fetcher: String(r.fetcher), feedId: String(r.feedId ?? ''), subscribers: num(r.subscribers), at: num(r.at) }))
    : [];
  const clients = typeof f.clients === 'string' ? decodeSketch(f.clients) : undefined;
  if (typeof f.clients === 'string' && clients === undefined) throw new StatsFileError(where, '"clients" is not a sketch of this size');
  return { feed: f.feed, requests: num(f.requests), ok: num(f.ok), notModified: num(f.notModified), bytes: num(f.bytes), byKind, fetchers, clients };
}
