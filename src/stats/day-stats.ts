import { READER_KINDS, type ReaderKind } from './user-agents.js';
import { createSketch, mergeSketch, type Sketch } from './sketch.js';

/** The last subscriber count one hosted reader reported for one feed on one day. */
export interface FetcherReport {
  readonly fetcher: string;
  /** The reader's own id for the feed; '' when it gives none. */
  readonly feedId: string;
  readonly subscribers: number;
  /** When it was reported (epoch ms): of two reports of a day, replicas keep the later. */
  readonly at: number;
}

/** What was counted for one feed (its path, query ignored) on one UTC day. */
export interface FeedDay {
  readonly feed: string;
  readonly requests: number;
  readonly ok: number;
  readonly notModified: number;
  readonly bytes: number;
  /** Requests by kind of reader. */
  readonly byKind: Readonly<Record<ReaderKind, number>>;
  readonly fetchers: readonly FetcherReport[];
  /** Distinct individual reader apps (sketch.ts); undefined when none polled. */
  readonly clients: Sketch | undefined;
}

/** One UTC day: its feeds, and requests per partner (by path prefix /partners/{id}/). */
export interface DayStats {
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly feeds: readonly FeedDay[];
  readonly partners: Readonly<Record<string, number>>;
}

export const DAY_MS = 86_400_000;

export function dayOf(epochMs: number): string {
  return new Date(Math.floor(epochMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export function emptyKinds(): Record<ReaderKind, number> {
  return Object.fromEntries(READER_KINDS.map((kind) => [kind, 0])) as Record<ReaderKind, number>;
}

/**
 * Adds what one counter counted since its last flush to what is stored:
 * counts add up, each reader's report keeps the later one, sketches merge
 * (the union of both sets of clients). The one rule both backends follow;
 * PostgreSQL does the same in SQL (postgres-stats.ts) with this for sketches.
 */
export function addFeedDays(stored: FeedDay | undefined, delta: FeedDay): FeedDay {
  if (stored === undefined) return delta;
  const byKind = emptyKinds();
  for (const kind of READER_KINDS) byKind[kind] = stored.byKind[kind] + delta.byKind[kind];
  const fetchers = new Map(stored.fetchers.map((r) => [`${r.fetcher}\n${r.feedId}`, r]));
  for (const report of delta.fetchers) {
    const key = `${report.fetcher}\n${report.feedId}`;
    const old = fetchers.get(key);
    if (old === undefined || report.at >= old.at) fetchers.set(key, report);
  }
  let clients = stored.clients;
  if (delta.clients !== undefined) {
    clients = createSketch();
    if (stored.clients !== undefined) mergeSketch(clients, stored.clients);
    mergeSketch(clients, delta.clients);
  }
  return {
    feed: stored.feed,
    requests: stored.requests + delta.requests,
    ok: stored.ok + delta.ok,
    notModified: stored.notModified + delta.notModified,
    bytes: stored.bytes + delta.bytes,
    byKind,
    fetchers: [...fetchers.values()].sort((a, b) => a.fetcher.localeCompare(b.fetcher) || a.feedId.localeCompare(b.feedId)),
    clients,
  };
}

/** Two days' worth of the same day added up (addFeedDays per feed, partner requests summed). */
export function addDays(stored: DayStats | undefined, delta: DayStats): DayStats {
  if (stored === undefined) return delta;
  const feeds = new Map(stored.feeds.map((f) => [f.feed, f]));
  for (const feed of delta.feeds) feeds.set(feed.feed, addFeedDays(feeds.get(feed.feed), feed));
  const partners: Record<string, number> = { ...stored.partners };
  for (const [id, n] of Object.entries(delta.partners)) partners[id] = (partners[id] ?? 0) + n;
  return { day: stored.day, feeds: [...feeds.values()].sort((a, b) => (a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0)), partners };
}

/** Where a counter's days are added up and read back: a folder of day files, or PostgreSQL. */
export interface StatsStore {
  /** Adds each day's counts to what is stored (atomically per day). */
  add(days: readonly DayStats[]): Promise<void>;
  /** The stored days from `from` to `to` (YYYY-MM-DD, inclusive), oldest first; days with nothing counted are left out. */
  read(from: string, to: string): Promise<DayStats[]>;
  close(): Promise<void>;
}
