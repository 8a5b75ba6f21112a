import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { CachedFeed } from './feed-cache.js';
import { isNotModified, markBodyBytes, markCacheStatus, requestIdOf, type Reply, type Validators } from './reply.js';

/** What a feed response was, recorded when the Express route sent it. */
export interface FastEntry extends Reply {
  /** The feed cache generation the response was rendered at. */
  readonly generation: number;
  /** The feed cache key of the document: a change to its feed (and no other) retires the response. */
  readonly cacheKey: string;
  /** The cached document the bytes belong to: its freshness is the feed cache's to decide, and when the cache drops it, so does the fast path. */
  readonly cached: CachedFeed;
  /** How long (ms) the replayed Cache-Control lets clients and CDNs keep the answer: it is replayed only while the document stays fresh that long. */
  readonly promisedMs: number;
}

/** The feed cache's freshness rule (FeedCache.isFresh): the fast path keeps none of its own. */
export type Freshness = (cacheKey: string, generation: number, cached: CachedFeed, now: number, forMs: number) => boolean;

const MAX_ENTRIES = 512;

/**
 * What the fast path keeps of an entry: its validators, and its 200 and 304
 * headers as flat [name, value, …] arrays, once with a last X-Request-Id
 * pair whose value is filled in per request. res.writeHead reads an array
 * once, synchronously, and keeps nothing of it; headers set earlier with
 * res.setHeader (X-Request-Id was) send writeHead down node's slow path, a
 * setHeader call for every header of every answer.
 */
interface Replay {
  readonly entry: FastEntry;
  readonly validators: Validators;
  readonly head200: OutgoingHttpHeader[];
  readonly head304: OutgoingHttpHeader[];
  readonly head200WithId: OutgoingHttpHeader[];
  readonly head304WithId: OutgoingHttpHeader[];
}

function replayOf(entry: FastEntry): Replay {
  const flat = (headers: OutgoingHttpHeaders): OutgoingHttpHeader[] => Object.entries(headers).flatMap(([name, value]) => (REPLAYED_HEADERS.has(name) && value !== undefined ? [name, value] : []));
  const [head200, head304] = [flat(entry.headers200), flat(entry.headers304)];
  return {
    entry,
    validators: { etag: entry.etag, ...(entry.lastModifiedSeconds === undefined ? {} : { lastModifiedSeconds: entry.lastModifiedSeconds }) },
    head200,
    head304,
    head200WithId: [...head200, 'X-Request-Id', ''],
    head304WithId: [...head304, 'X-Request-Id', ''],
  };
}

/** The replayed answer: 304 when the client's copy is current (reply.ts's rules), else the 200, its body left out for HEAD. */
function replay(req: IncomingMessage, res: ServerResponse, replay: Replay): void {
  const id = requestIdOf(res);
  const notModified = isNotModified({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, replay.validators);
  const head = notModified ? (id === undefined ? replay.head304 : replay.head304WithId) : id === undefined ? replay.head200 : replay.head200WithId;
  if (id !== undefined) head[head.length - 1] = id;
  res.writeHead(notModified ? 304 : 200, head);
  if (notModified || req.method === 'HEAD') {
    markBodyBytes(res, 0);
    res.end();
    return;
  }
  markBodyBytes(res, replay.entry.bytes.length);
  res.end(replay.entry.bytes);
}

/**
 * Answers repeat feed requests before Express: a GET or HEAD for exactly a
 * URL and Accept-Encoding the feed route has answered in this data
 * generation is replayed from what that route sent — the same status,
 * headers (security, CORS, caching, validators) and bytes, conditional GET
 * included — without the middleware and router. Anything else, and any
 * entry the feed cache no longer deems fresh, goes through
 * Express as usual. Off when a rate limit is set (Express applies it).
 */
export class FastPath {
  private readonly entries = new Map<string, Replay>();
  /**
   * Keys by the cached document they replay. The fast path holds no bytes of
   * its own: an entry lives only while the feed cache holds its document
   * (forgetFeed is called when it drops one), so FEED_CACHE_MB bounds what
   * is replayed too. 512 entries of 1.4 MB documents kept here, outside the
   * budget, took a server from 200 MB to 940 MB.
   */
  private readonly byFeed = new Map<object, Set<string>>();
  /** Requests answered here; tests read it. */
  hits = 0;

  constructor(
    /** Whether a replayed answer is still fresh: FeedCache.isFresh, asked on every replay. */
    private readonly isFresh: Freshness,
    private readonly clock: () => Date,
    /** Whether the request may be served at all (the rate limit, counted once per request); absent: always. */
    private readonly admit?: (req: IncomingMessage) => boolean,
  ) {}

  private static key(req: IncomingMessage): string {
    return `${req.url ?? ''}\n${req.headers['accept-encoding'] ?? ''}`;
  }

  /** Called by the feed route after it answered `req`. */
  remember(req: IncomingMessage, entry: FastEntry): void {
    if (this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
      this.byFeed.clear();
    }
    const key = FastPath.key(req);
    this.forgetKey(key);
    this.entries.set(key, replayOf(entry));
    const feed = entry.cached.feed;
    const keys = this.byFeed.get(feed);
    if (keys) keys.add(key);
    else this.byFeed.set(feed, new Set([key]));
  }

  /** The feed cache dropped this document: stop replaying it. */
  forgetFeed(feed: object): void {
    const keys = this.byFeed.get(feed);
    if (!keys) return;
    this.byFeed.delete(feed);
    for (const key of keys) this.entries.delete(key);
  }

  /** Entries and distinct bytes held: what tests check against the cache's budget. */
  get size(): { entries: number; bytes: number; feeds: readonly object[] } {
    let bytes = 0;
    const buffers = new Set<Buffer>();
    for (const { entry } of this.entries.values()) {
      if (buffers.has(entry.bytes)) continue;
      buffers.add(entry.bytes);
      bytes += entry.bytes.length;
    }
    return { entries: this.entries.size, bytes, feeds: [...this.byFeed.keys()] };
  }

  private forgetKey(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    const feed = old.entry.cached.feed;
    const keys = this.byFeed.get(feed);
    keys?.delete(key);
    if (keys?.size === 0) this.byFeed.delete(feed);
  }

  /** Serves `req` if it can; false to let Express do it. */
  tryServe(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const key = FastPath.key(req);
    const found = this.entries.get(key);
    if (found === undefined) return false;
    const { entry } = found;
    if (!this.isFresh(entry.cacheKey, entry.generation, entry.cached, this.clock().getTime(), entry.promisedMs)) {
      this.forgetKey(key);
      return false;
    }
    // Over the limit: Express answers the 429 (the limit remembers its decision for this request).
    if (this.admit !== undefined && !this.admit(req)) return false;
    this.hits += 1;
    markCacheStatus(res, 'hit');
    replay(req, res, found);
    return true;
  }

  /** The request listener to serve with: this fast path, then the app. */
  listener(app: RequestListener): RequestListener {
    return (req, res) => {
      if (!this.tryServe(req, res)) app(req, res);
    };
  }
}

/** Header names lower-cased, so merging two header sets never sends one header twice. */
export function lowerCaseHeaders(...sets: readonly Readonly<Record<string, unknown>>[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const set of sets) for (const [name, value] of Object.entries(set)) if (value !== undefined) out[name.toLowerCase()] = value as OutgoingHttpHeaders[string];
  return out;
}

/**
 * The headers a replayed answer carries: the document's own (type, length,
 * coding, validators, Vary), caching and CDN keys, CORS, and the security
 * headers guards.ts sets. An explicit list, so a header that belongs to one
 * request (X-Request-Id) or that a new middleware adds is never replayed by
 * accident: the fast-path contract test compares replayed answers with
 * Express's and fails on a missing one.
 */
export const REPLAYED_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'etag',
  'last-modified',
  'vary',
  'cache-control',
  'surrogate-key',
  'cache-tag',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
  'cross-origin-resource-policy',
  'content-security-policy',
]);
