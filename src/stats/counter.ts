import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type DayStats, DAY_MS, dayOf, emptyKinds, type FetcherReport, type FeedDay } from './day-stats.js';
import { addHash, createSketch, hashClient, type Sketch } from './sketch.js';
import { classifyUserAgent, type Reader, type ReaderKind } from './user-agents.js';

/** What the counter needs from outside; app.ts passes the real ones, tests their own. */
export interface CounterOptions {
  /** Whether a path is a feed (the access log's classifyRequest knows): other paths are not counted. */
  readonly isFeed: (path: string) => boolean;
  /** The client's address as the rate limit sees it (TRUST_PROXY applied). Hashed at once, never kept. */
  readonly addressOf: (req: IncomingMessage) => string;
  /** Epoch ms now (Date.now by default): a number, not a Date, so a count allocates nothing. */
  readonly now?: () => number;
  /** A fresh salt (a random 32-bit number by default). */
  readonly salt?: () => number;
}

/** A feed's counts on the current day, mutated in place (one object per feed a day, not per request). */
interface Tally {
  requests: number;
  ok: number;
  notModified: number;
  bytes: number;
  readonly byKind: Record<ReaderKind, number>;
  /** "fetcher\nfeedId" → its last report today. */
  readonly fetchers: Map<string, { fetcher: string; feedId: string; subscribers: number; at: number }>;
  /** The day's distinct clients, kept whole (flushes merge it, so sending it twice changes nothing). */
  clients: Sketch | undefined;
  /** Counted since the last take: an idle feed is not copied or written every minute. */
  touched: boolean;
}

/** Feeds counted a day; past it a new path is not counted (paths are the client's to choose, feeds are not unbounded). */
const MAX_FEEDS = 10_000;
/** Distinct User-Agents classified and remembered; past this the memo starts again. */
const MAX_AGENTS = 4096;
const PARTNERS = '/partners/';
/** Partners counted a day (same reason as MAX_FEEDS). */
const MAX_PARTNERS = 1000;

/**
 * Counts feed requests in memory, on the request path: one call per
 * finished response (observe-requests.ts), a Map lookup for the path and
 * one for the User-Agent, and a hash of address and agent only for an
 * individual reader app. Classification happens once per distinct agent.
 * The salt is random, changes at each UTC midnight and lives only here.
 * `take()` hands what was counted to the flusher (flush.ts).
 */
export class ReadershipCounter {
  private readonly isFeed: (path: string) => boolean;
  private readonly addressOf: (req: IncomingMessage) => string;
  private readonly now: () => number;
  private readonly newSalt: () => number;
  private day = '';
  private dayEnds = 0;
  private salt = 0;
  private feeds = new Map<string, Tally>();
  private partners = new Map<string, number>();
  /** Paths that are not feeds, so they are not classified again. */
  private readonly notFeeds = new Set<string>();
  private readonly agents = new Map<string, Reader>();
  /** Days that ended since the last take: flushed once more, then dropped. */
  private ended: DayStats[] = [];

  constructor(options: CounterOptions) {
    this.isFeed = options.isFeed;
    this.addressOf = options.addressOf;
    this.now = options.now ?? Date.now;
    this.newSalt = options.salt ?? (() => randomInt(0, 2 ** 32 - 1));
  }

  /** Counts one finished response. `bytes`: body bytes sent (0 for a 304 or HEAD). */
  count(req: IncomingMessage, status: number, bytes: number): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.countPath(q < 0 ? url : url.slice(0, q), req, status, bytes);
  }

  /** Counts one finished response to `path` (the request's path without its query). */
  countPath(path: string, req: IncomingMessage, status: number, bytes: number): void {
    const now = this.now();
    if (now >= this.dayEnds) this.startDay(now);
    let tally = this.feeds.get(path);
    if (tally === undefined) {
      if (path.startsWith(PARTNERS)) return this.countPartner(path, status);
      // Only a feed that answered is a feed: a 404 for a made-up slug must not take memory.
      if ((status !== 200 && status !== 304) || this.feeds.size >= MAX_FEEDS || this.notFeeds.has(path)) return;
      if (!this.isFeed(path)) {
        if (this.notFeeds.size >= MAX_AGENTS) this.notFeeds.clear();
        this.notFeeds.add(path);
        return;
      }
      tally = { requests: 0, ok: 0, notModified: 0, bytes: 0, byKind: emptyKinds(), fetchers: new Map(), clients: undefined, touched: true };
      this.feeds.set(path, tally);
    }
    tally.requests += 1;
    tally.touched = true;
    if (status === 200) tally.ok += 1;
    else if (status === 304) tally.notModified += 1;
    tally.bytes += bytes;
    const agent = req.headers['user-agent'];
    const reader = this.readerOf(agent);
    tally.byKind[reader.kind] += 1;
    if (status !== 200 && status !== 304) return;
    if (reader.kind === 'hosted') {
      if (reader.subscribers === undefined) return;
      const key = reader.feedId === '' ? reader.fetcher : `${reader.fetcher}\n${reader.feedId}`;
      const last = tally.fetchers.get(key);
      if (last === undefined) tally.fetchers.set(key, { fetcher: reader.fetcher, feedId: reader.feedId, subscribers: reader.subscribers, at: now });
      else {
        last.subscribers = reader.subscribers;
        last.at = now;
      }
    } else if (reader.kind === 'app') {
      addHash((tally.clients ??= createSketch()), hashClient(this.salt, this.addressOf(req), agent ?? ''));
    }
  }

  /** What was counted since the last take, and the sketches and reports of the day so far; counts start again from zero. */
  take(): DayStats[] {
    const days = this.ended;
    this.ended = [];
    if (this.day !== '') {
      const now = this.snapshot(true);
      if (now.feeds.length > 0 || Object.keys(now.partners).length > 0) days.push(now);
    }
    return days;
  }

  /** Puts back what a flush could not store, so the next flush tries it again. */
  giveBack(days: readonly DayStats[]): void {
    // Counts taken are added again at the next flush: the store adds, so nothing is lost or counted twice.
    this.ended.unshift(...days);
  }

  private countPartner(path: string, status: number): void {
    if (status !== 200 && status !== 304) return;
    const end = path.indexOf('/', PARTNERS.length);
    const id = path.slice(PARTNERS.length, end < 0 ? undefined : end);
    if (id === '' || (!this.partners.has(id) && this.partners.size >= MAX_PARTNERS)) return;
    this.partners.set(id, (this.partners.get(id) ?? 0) + 1);
  }

  private readerOf(agent: string | undefined): Reader {
    const key = agent ?? '';
    let reader = this.agents.get(key);
    if (reader === undefined) {
      if (this.agents.size >= MAX_AGENTS) this.agents.clear();
      this.agents.set(key, (reader = classifyUserAgent(agent)));
    }
    return reader;
  }

  /** A new UTC day: a new salt (yesterday's is gone, so its hashes cannot be linked to today's), fresh tallies. */
  private startDay(now: number): void {
    if (this.day !== '' && (this.feeds.size > 0 || this.partners.size > 0)) this.ended.push(this.snapshot(false));
    this.day = dayOf(now);
    this.dayEnds = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
    this.salt = this.newSalt();
    this.feeds = new Map();
    this.partners = new Map();
  }

  private snapshot(reset: boolean): DayStats {
    const feeds: FeedDay[] = [];
    for (const [feed, t] of this.feeds) {
      if (!t.touched) continue;
      const fetchers: FetcherReport[] = [...t.fetchers.values()].map((r) => ({ ...r }));
      feeds.push({ feed, requests: t.requests, ok: t.ok, notModified: t.notModified, bytes: t.bytes, byKind: { ...t.byKind }, fetchers, clients: t.clients === undefined ? undefined : t.clients.slice() });
      if (reset) {
        t.touched = false;
        t.requests = t.ok = t.notModified = t.bytes = 0;
        for (const kind of Object.keys(t.byKind) as ReaderKind[]) t.byKind[kind] = 0;
      }
    }
    const partners = Object.fromEntries(this.partners);
    if (reset) this.partners = new Map();
    return { day: this.day, feeds, partners };
  }
}
