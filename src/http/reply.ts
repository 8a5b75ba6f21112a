import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { feedKey } from '../model/feed-filter.js';

/** The one ETag recipe of every document this server sends: strong, base64url of the first 16 bytes of the SHA-256 of the exact bytes. */
export function strongEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest().subarray(0, 16).toString('base64url')}"`;
}

/** A response ready to send: its validators, the headers of a 200 and of a 304, and the body. */
export interface Reply {
  readonly etag: string;
  /** Last-Modified in whole seconds, when the document has one. */
  readonly lastModifiedSeconds?: number;
  readonly headers200: OutgoingHttpHeaders;
  readonly headers304: OutgoingHttpHeaders;
  readonly bytes: Buffer;
}

/**
 * The one writer of 200, 304 and HEAD answers, for the feed routes, the
 * fast path in front of Express, and the other cached documents: a
 * conditional request that matches (RFC 9110: If-None-Match first, else
 * If-Modified-Since) gets a 304 with the validators only; HEAD gets the
 * 200's headers, Content-Length included, and no body.
 */
export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const validators = { etag: reply.etag, ...(reply.lastModifiedSeconds === undefined ? {} : { lastModifiedSeconds: reply.lastModifiedSeconds }) };
  if (isNotModified({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, validators)) {
    res.writeHead(304, reply.headers304);
    res.end();
    return;
  }
  res.writeHead(200, reply.headers200);
  if (req.method === 'HEAD') res.end();
  else res.end(reply.bytes);
}

/**
 * Conditional GET (RFC 9110 §13): whether a GET or HEAD can be answered
 * 304 Not Modified, from If-None-Match (which takes precedence) or else
 * If-Modified-Since.
 */

/** What the server holds for the selected representation. */
export interface Validators {
  /** A strong entity tag, quotes included: `"abc"`. */
  readonly etag: string;
  /** Last-Modified in whole seconds since the epoch (HTTP dates carry no finer precision); absent: If-Modified-Since never matches. */
  readonly lastModifiedSeconds?: number;
}

export interface ConditionalHeaders {
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
}

/** True when the request's preconditions say the client's copy is current: answer 304. */
export function isNotModified(headers: ConditionalHeaders, validators: Validators): boolean {
  if (headers.ifNoneMatch !== undefined) return noneMatchFails(headers.ifNoneMatch, validators.etag);
  if (headers.ifModifiedSince === undefined || validators.lastModifiedSeconds === undefined) return false;
  const since = parseHttpDate(headers.ifModifiedSince);
  // An invalid date is ignored (RFC 9110 §13.1.3): the full response is sent.
  if (since === undefined) return false;
  return validators.lastModifiedSeconds <= Math.floor(since / 1000);
}

/**
 * If-None-Match evaluates to false (so: 304) when the field is `*` or one
 * of its entity tags matches ours by weak comparison: the opaque tags are
 * equal, either one may carry W/. Tags may contain commas, so the list is
 * scanned tag by tag rather than split.
 */
export function noneMatchFails(field: string, etag: string): boolean {
  // A client revalidating sends back exactly the tag it was given: the common case, decided without a scan.
  if (field === etag) return true;
  if (field.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  // A global regex keeps its position (lastIndex) between calls: one per call, not one per module.
  const entityTag = /(?:W\/)?("[^"]*")/g;
  for (let match = entityTag.exec(field); match !== null; match = entityTag.exec(field)) {
    if (match[1] === opaque) return true;
  }
  return false;
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/**
 * An HTTP-date (RFC 9110 §5.6.7) in any of its three forms, as epoch
 * milliseconds; undefined for anything else, including dates JavaScript
 * would parse but HTTP does not allow ("2024-05-01", "yesterday").
 */
export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let ms: number;
  if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) ms = Date.parse(value);
  else if (ASCTIME_DATE.test(value)) ms = Date.parse(`${value} GMT`);
  else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Whether a response came from the rendered-feed cache (`hit`), waited on a
 * render, its own or one it joined (`miss`), or was the last rendered
 * document served because the store could not render a newer one (`stale`).
 */
export type CacheStatus = 'hit' | 'miss' | 'stale';

/** Kept on the response object itself, so nothing outlives the request and two apps share nothing. */
const CACHE_STATUS = Symbol('wirefeed.cacheStatus');

type Marked = ServerResponse & { [CACHE_STATUS]?: CacheStatus };

/** Recorded by the feed route and the fast path; read by the access log and the metrics. */
export function markCacheStatus(res: ServerResponse, status: CacheStatus): void {
  (res as Marked)[CACHE_STATUS] = status;
}

/** The request's id, echoed in X-Request-Id: set by the access log (observe-requests.ts), written by whoever answers. */
const REQUEST_ID = Symbol('wirefeed.requestId');
/** Body bytes of an answer written with a header array (the fast path), which res.getHeader cannot read back. */
const BODY_BYTES = Symbol('wirefeed.bodyBytes');

type Noted = ServerResponse & { [REQUEST_ID]?: string; [BODY_BYTES]?: number };

export function markRequestId(res: ServerResponse, id: string): void {
  (res as Noted)[REQUEST_ID] = id;
}

export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as Noted)[REQUEST_ID];
}

export function markBodyBytes(res: ServerResponse, bytes: number): void {
  (res as Noted)[BODY_BYTES] = bytes;
}

/** Body bytes as sent: what markBodyBytes recorded, else the Content-Length header; undefined when streamed without one. */
export function bodyBytesOf(res: ServerResponse): number | undefined {
  const marked = (res as Noted)[BODY_BYTES];
  if (marked !== undefined) return marked;
  const length = Number(res.getHeader('content-length'));
  return Number.isFinite(length) ? length : undefined;
}

/** undefined for responses that are not cached feeds (pages, the API, errors before the cache). */
export function cacheStatusOf(res: ServerResponse): CacheStatus | undefined {
  return (res as Marked)[CACHE_STATUS];
}

/**
 * The CDN cache keys of a feed: "feeds" (every feed document, for purging
 * everything) and the feed's own key, "main" for the main feed or its
 * folder path without the leading slash ("tags/korea"). Slugs are
 * percent-encoded in paths, so a key never holds a space or a comma, the
 * separators of Surrogate-Key (Fastly) and Cache-Tag (Cloudflare, Akamai).
 */
export function surrogateKeys(feedPathOrEmpty: string): readonly string[] {
  return ['feeds', feedKey(feedPathOrEmpty)];
}

/** Surrogate-Key (space-separated) and Cache-Tag (comma-separated) for a feed response. */
export function surrogateHeaders(feedPathOrEmpty: string): Readonly<Record<string, string>> {
  const keys = surrogateKeys(feedPathOrEmpty);
  return { 'Surrogate-Key': keys.join(' '), 'Cache-Tag': keys.join(',') };
}
