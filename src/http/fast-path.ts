import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { CachedFeed } from './feed-cache.js';
import { isNotModified, type Reply, type Validators } from './reply.js';

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
 * One way a replay answers (GET or HEAD, 200 or 304): the same object for
 * every request answered that way, so whoever observes the answer (the
 * access log, the counts) can prepare what it writes once per outcome
 * rather than once per request.
 */
export interface ReplayOutcome {
  readonly method: 'GET' | 'HEAD';
  readonly status: 200 | 304;
  /** Body bytes sent (0 for a 304 or HEAD). */
  readonly bytes: number;
  /** The request path without its query. */
  readonly path: string;
}

/**
 * What the fast path keeps of an entry: its validators, and its 200 and 304
 * headers as flat [name, value, …] arrays, each with a last X-Request-Id
 * pair whose value is filled in per request. res.writeHead reads an array
 * once, synchronously, and keeps nothing of it; headers set earlier with
 * res.setHeader (X-Request-Id was) send writeHead down node's slow path, a
 * setHeader call for every header of every answer.
 */
interface Replay {
  readonly entry: FastEntry;
  readonly url: string;
  readonly acceptEncoding: string;
  readonly validators: Validators;
  readonly head200: OutgoingHttpHeader[];
  readonly head304: OutgoingHttpHeader[];
  readonly head200WithId: OutgoingHttpHeader[];
  readonly head304WithId: OutgoingHttpHeader[];
  readonly get200: ReplayOutcome;
  readonly get304: ReplayOutcome;
  readonly head200Outcome: ReplayOutcome;
  readonly head304Outcome: ReplayOutcome;
}

function replayOf(url: string, acceptEncoding: string, entry: FastEntry): Replay {
  const flat = (headers: OutgoingHttpHeaders): OutgoingHttpHeader[] => Object.entries(headers).flatMap(([name, value]) => (REPLAYED_HEADERS.has(name) && value !== undefined ? [name, value] : []));
  const [head200, head304] = [flat(entry.headers200), flat(entry.headers304)];
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const outcome = (method: 'GET' | 'HEAD', status: 200 | 304): ReplayOutcome => ({ method, status, bytes: method === 'GET' && status === 200 ? entry.bytes.length : 0, path });
  return {
    entry,
    url,
    acceptEncoding,
    validators: { etag: entry.etag, ...(entry.lastModifiedSeconds === undefined ? {} : { lastModifiedSeconds: entry.lastModifiedSeconds }) },
    head200,
    head304,
    head200WithId: [...head200, 'X-Request-Id', ''],
    head304WithId: [...head304, 'X-Request-Id', ''],
    get200: outcome('GET', 200),
    get304: outcome('GET', 304),
    head200Outcome: outcome('HEAD', 200),
    head304Outcome: outcome('HEAD', 304),
  };
}

/** The replayed answer: 304 when the client's copy is current (reply.ts's rules), else the 200, its body left out for HEAD. */
function replay(req: IncomingMessage, res: ServerResponse, replay: Replay, id: string | undefined): ReplayOutcome {
  const headers = req.headers;
  const ifNoneMatch = headers['if-none-match'];
  // A client revalidating sends back exactly the tag it was given: the common case, decided without a scan.
  const notModified = ifNoneMatch === replay.validators.etag || ((ifNoneMatch !== undefined || headers['if-modified-since'] !== undefined) && isNotModified({ ifNoneMatch, ifModifiedSince: headers['if-modified-since'] }, replay.validators));
  const head = id === undefined ? (notModified ? replay.head304 : replay.head200) : notModified ? replay.head304WithId : replay.head200WithId;
  // The array is read synchronously by writeHead and kept by nobody: its last value is this request's id.
  if (id !== undefined) head[head.length - 1] = id;
  res.writeHead(notModified ? 304 : 200, head);
  const isHead = req.method === 'HEAD';
  if (notModified || isHead) {
    res.end();
    return notModified ? (isHead ? replay.head304Outcome : replay.get304) : replay.head200Outcome;
  }
  res.end(replay.entry.bytes);
  return replay.get200;
}

/**
 * Answers repeat feed requests before Express: a GET or HEAD for exactly a
 * URL and Accept-Encoding the feed route has answered in this data
 * generation is replayed from what that route sent — the same status,
 * headers (security, CORS, caching, validators) and bytes, conditional GET
 * included — without the middleware and router. Anything else, and any
 * entry the feed cache no longer deems fresh, goes through
 * Express as usual. A rate limit, when set, is applied here first.
 */
export class FastPath {
  /** Entries by URL, then Accept-Encoding: two lookups of the request's own strings, no key built per request. */
  private readonly byUrl = new Map<string, Map<string, Replay>>();
  private count = 0;
  /**
   * Entries by the cached document they replay. The fast path holds no bytes of
   * its own: an entry lives only while the feed cache holds its document
   * (forgetFeed is called when it drops one), so FEED_CACHE_MB bounds what
   * is replayed too. 512 entries of 1.4 MB documents kept here, outside the
   * budget, took a server from 200 MB to 940 MB.
   */
  private readonly byFeed = new Map<object, Set<Replay>>();
  /** Requests answered here; tests read it. */
  hits = 0;

  constructor(
    /** Whether a replayed answer is still fresh: FeedCache.isFresh, asked on every replay. */
    private readonly isFresh: Freshness,
    /** Epoch milliseconds now. */
    private readonly now: () => number,
    /** Whether the request may be served at all (the rate limit, counted once per request); absent: always. */
    private readonly admit?: (req: IncomingMessage) => boolean,
  ) {}

  /** Called by the feed route after it answered `req`. */
  remember(req: IncomingMessage, entry: FastEntry): void {
    if (this.count >= MAX_ENTRIES) {
      this.byUrl.clear();
      this.byFeed.clear();
      this.count = 0;
    }
    const url = req.url ?? '';
    const acceptEncoding = req.headers['accept-encoding'] ?? '';
    const old = this.byUrl.get(url)?.get(acceptEncoding);
    if (old !== undefined) this.forget(old);
    const added = replayOf(url, acceptEncoding, entry);
    const byEncoding = this.byUrl.get(url);
    if (byEncoding === undefined) this.byUrl.set(url, new Map([[acceptEncoding, added]]));
    else byEncoding.set(acceptEncoding, added);
    this.count += 1;
    const feed = entry.cached.feed;
    const replays = this.byFeed.get(feed);
    if (replays) replays.add(added);
    else this.byFeed.set(feed, new Set([added]));
  }

  /** The feed cache dropped this document: stop replaying it. */
  forgetFeed(feed: object): void {
    const replays = this.byFeed.get(feed);
    if (!replays) return;
    for (const old of replays) this.forget(old);
  }

  /** Entries and distinct bytes held: what tests check against the cache's budget. */
  get size(): { entries: number; bytes: number; feeds: readonly object[] } {
    let bytes = 0;
    const buffers = new Set<Buffer>();
    for (const byEncoding of this.byUrl.values()) {
      for (const { entry } of byEncoding.values()) {
        if (buffers.has(entry.bytes)) continue;
        buffers.add(entry.bytes);
        bytes += entry.bytes.length;
      }
    }
    return { entries: this.count, bytes, feeds: [...this.byFeed.keys()] };
  }

  private forget(old: Replay): void {
    const byEncoding = this.byUrl.get(old.url);
    if (byEncoding?.get(old.acceptEncoding) !== old) return;
    byEncoding.delete(old.acceptEncoding);
    if (byEncoding.size === 0) this.byUrl.delete(old.url);
    this.count -= 1;
    const feed = old.entry.cached.feed;
    const replays = this.byFeed.get(feed);
    replays?.delete(old);
    if (replays?.size === 0) this.byFeed.delete(feed);
  }

  /**
   * Serves `req` if it can, echoing `requestId` (when given) in
   * X-Request-Id, and says how it answered; undefined to let Express do it.
   */
  tryServe(req: IncomingMessage, res: ServerResponse, requestId?: string): ReplayOutcome | undefined {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const found = this.byUrl.get(req.url ?? '')?.get(req.headers['accept-encoding'] ?? '');
    if (found === undefined) return undefined;
    const { entry } = found;
    if (!this.isFresh(entry.cacheKey, entry.generation, entry.cached, this.now(), entry.promisedMs)) {
      this.forget(found);
      return undefined;
    }
    // Over the limit: Express answers the 429 (the limit remembers its decision for this request).
    if (this.admit !== undefined && !this.admit(req)) return undefined;
    this.hits += 1;
    return replay(req, res, found, requestId);
  }

  /** The request listener to serve with when nothing observes requests: this fast path, then the app. */
  listener(app: RequestListener): RequestListener {
    return (req, res) => {
      if (this.tryServe(req, res) === undefined) app(req, res);
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
