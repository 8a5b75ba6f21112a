import type { ContentCoding, RenderedFeed } from './compress.js';

// The types of the response cache (feed-cache.ts), apart so that file holds only its logic.

/** What a render produces; the cache turns it into a RenderedFeed. */
export interface RenderResult {
  readonly body: string;
  readonly contentType: string;
  readonly lastModified: Date;
  /** Epoch ms of the next embargo release that would change this feed, if any. */
  readonly nextRelease?: number;
}

/** A cached feed for one generation, valid until its next embargo release. */
export interface CachedFeed {
  readonly feed: RenderedFeed;
  readonly nextRelease?: number;
  /** Epoch ms (the app's clock) of the request whose render made this document. */
  readonly renderedAt: number;
  /** Set when the store could not render a newer version: this is the last one rendered (stale-if-error). */
  readonly stale?: true;
}

export interface FeedCacheOptions {
  /** Entries (feed × format × query) kept at most. */
  readonly maxEntries: number;
  /** Bytes of rendered and compressed documents kept at most. */
  readonly maxBytes: number;
  /** Told how long each compression took (metrics). */
  readonly onCompressed?: (coding: ContentCoding, seconds: number) => void;
  /** Epoch ms now, for the retry interval after a failed render (default Date.now). */
  readonly clock?: () => number;
  /** Ms after its render when a document is rendered again though nothing changed (isFresh); absent: never. */
  readonly expireAfterMs?: number;
}

/** Counters for tests and benchmarks. */
export interface FeedCacheStats {
  renders: number;
  hits: number;
  /** Answers from the last rendered document because the store could not render a newer one. */
  stale: number;
  compressions: number;
  evictions: number;
}
