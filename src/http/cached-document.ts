import type { NextFunction, Request, Response } from 'express';
import type { NegotiationCache } from './compress.js';
import { writeReply } from './reply.js';
import { HttpError } from './errors.js';
import { replyOf, type CachedFeed, type FeedCache, type Representation, type RenderResult } from './feed-cache.js';

export interface CachedDocumentRequest {
  readonly cache: FeedCache;
  /** The app's Accept-Encoding memo. */
  readonly encodings: NegotiationCache;
  /** Unique per document and selection; the cache's generation covers data changes. */
  readonly key: string;
  readonly generation: number;
  /** The request's instant (ms): a cached document is valid until its next change. */
  readonly now: number;
  readonly render: () => RenderResult | Promise<RenderResult>;
  /** Cache-Control for this answer, given the document's next change (epoch ms) if it has one. */
  readonly cacheControl: (nextChange: number | undefined) => string;
}

/**
 * Serves a document that is not a feed (the news sitemap, a ninjs article)
 * the way feeds are served: rendered once per data version into the
 * app's response cache, compressed once per coding, ETag and Last-Modified
 * from the exact bytes, 304 on a matching conditional request, HEAD
 * without a body.
 */
export function serveCachedDocument(req: Request, res: Response, next: NextFunction, doc: CachedDocumentRequest): void {
  const coding = doc.encodings.encodingFor(req.headers['accept-encoding']);
  if (coding === undefined) {
    throw new HttpError(406, 'none of the content codings this server has (br, gzip, identity) is acceptable per Accept-Encoding', { Vary: 'Accept-Encoding' });
  }
  const send = (cached: CachedFeed, representation: Representation): void => {
    res.setHeader('Cache-Control', doc.cacheControl(cached.nextRelease));
    writeReply(req, res, replyOf(cached.feed, representation));
  };
  const cached = doc.cache.get(doc.key, doc.generation, doc.now, doc.render);
  Promise.resolve(cached)
    .then(async (value) => send(value, await value.feed.representation(coding)))
    .catch(next);
}

/** Cache-Control that no cache keeps past `nextChange` (an embargo release, an article leaving a time window). */
export function cacheControlUntil(lifetimes: { maxAge: number; staleWhileRevalidate: number; staleIfError: number }, nextChange: number | undefined, now: number): string {
  const { maxAge, staleWhileRevalidate } = lifetimesUntil(lifetimes, nextChange, now);
  return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${lifetimes.staleIfError}`;
}

/** The max-age and stale-while-revalidate (seconds) that end by `nextChange`: one rule for public and private answers. */
export function lifetimesUntil(lifetimes: { maxAge: number; staleWhileRevalidate: number }, nextChange: number | undefined, now: number): { maxAge: number; staleWhileRevalidate: number } {
  if (nextChange === undefined) return lifetimes;
  const until = Math.max(0, Math.floor((nextChange - now) / 1000));
  const maxAge = Math.min(lifetimes.maxAge, until);
  return { maxAge, staleWhileRevalidate: Math.min(lifetimes.staleWhileRevalidate, until - maxAge) };
}
