import type { ArticleError } from '../load/errors.js';
import type { Cursor } from '../model/cursor.js';
import type { ChangedFeed } from '../model/feed-filter.js';
import type { FeedDescriptor, FeedFilter } from '../model/feed-filter.js';
import type { FeedQuery } from '../model/feed-query.js';
import type { TranslationLink } from '../model/translations.js';
import type { Article, DocumentFormat, Site } from '../model/types.js';
import type { StoreHistory, WriteOptions } from './versions.js';

/**
 * One page of one feed at one instant, as a backend resolves it. Both
 * backends must return equal values for equal records: the HTTP layer
 * renders it into bytes without knowing which backend answered.
 */
export interface FeedPage {
  /** The feed's display name: the newest visible article's spelling of the filter ("All stories" for the main feed). */
  readonly name: string;
  /** The page's articles, newest first (`published` descending, ties by id ascending), bodies included. */
  readonly articles: readonly Article[];
  /** `before` cursor of the next (older) page, when there is one. */
  readonly next?: Cursor;
  /** `after` cursor of the previous (newer) page, when this is not the newest. */
  readonly previous?: Cursor;
  /** `after` cursor of the oldest page, when this is not it. */
  readonly last?: Cursor;
  /** When the feed next changes by itself: its earliest embargoed article's `published` (ms), if any. */
  readonly nextRelease?: number;
}

/** A rendered item of an article the store returned, in a format's stored form (render/render.ts). */
export interface StoredFragment {
  readonly article: Article;
  readonly fragment: string;
}

/**
 * Rendered feed items kept by the backend, so that a feed request in a new
 * process (or at a URL nothing has cached) renders only items it has never
 * rendered. Keyed by article, format and render key (render.ts
 * fragmentKey: renderer version, site settings, format); a fragment is
 * given back only for the exact article version it was rendered from, so a
 * write through any path (API, sync, import) leaves it unused, never wrong.
 * Only articles this store's feedPage returned take part.
 */
export interface FragmentStore {
  /** The kept fragments of `articles` in `format` under `key`; an article without a current one is absent. Never throws. */
  read(format: DocumentFormat, key: string, articles: readonly Article[]): Promise<ReadonlyMap<Article, string>>;
  /** Keeps `fragments`; one whose article was written or deleted since it was read is dropped. Never throws. */
  write(format: DocumentFormat, key: string, fragments: readonly StoredFragment[]): Promise<void>;
}

/**
 * The stored items a feedPage caller will ask the FragmentStore for next: a
 * backend that keeps them may read them with the page (PostgreSQL: one
 * statement, not two), and `read` then answers from what came back.
 */
export interface StoredItemsWanted {
  readonly format: DocumentFormat;
  readonly key: string;
}

/** The translation links of some articles at an instant (model/translations.ts). */
export interface TranslationsAt {
  /** Article id → the siblings readers may see now (published, past any embargo); absent: none. */
  readonly links: ReadonlyMap<string, readonly TranslationLink[]>;
  /** When a sibling of one of these articles is next released, changing their links (ms since the epoch). */
  readonly nextRelease?: number;
}

/** A feed in the directory, with how many visible articles it has. */
export interface DirectoryEntry extends FeedDescriptor {
  readonly count: number;
}

/** A feed a backend prepared (see Store.prepared); no filter: the main feed. */
export interface PreparedFeed {
  readonly filter?: FeedFilter;
}

/** Every feed there is at an instant: the main feed first, then per kind (section, tag, language, author) by slug. */
export interface Directory {
  readonly feeds: readonly DirectoryEntry[];
  /** Newest `updated` among visible articles; the Unix epoch when there are none. */
  readonly updated: Date;
}

/** One line of GET /api/articles. */
export interface ArticleSummary {
  readonly id: string;
  readonly headline: string;
  readonly status: Article['status'];
  readonly published: Date;
  readonly updated: Date;
  readonly url: string;
  readonly source: string;
}

/** What /healthz reports about the data. */
export interface StoreHealth {
  readonly backend: StoreBackend;
  /** Whether the backend can be reached (always true for files). */
  readonly up: boolean;
  readonly articles: number;
  readonly visible: number;
  /** Records that yielded no article, with every reason. */
  readonly rejected: readonly ArticleError[];
  readonly warnings: readonly ArticleError[];
}

/** A change to the data: its new version and the feeds whose default document changed. */
export interface StoreChange {
  readonly version: number;
  /** Feeds (by folder path) whose newest page changed; every feed when the site changed. */
  readonly feeds: readonly ChangedFeed[];
  /**
   * Paths of every feed any document of which (any page, limit or since) may
   * differ after the change: what a response cache must drop. Absent: any
   * feed may have changed.
   */
  readonly touched?: readonly string[];
}

export type StoreListener = (change: StoreChange) => void;

/** The result of a PUT: the article as now stored, whether it is new, and the loader's warnings. */
export interface PutResult {
  readonly article: Article;
  readonly created: boolean;
  readonly warnings: readonly ArticleError[];
  /** The stored record's ETag (versions.ts recordEtag). */
  readonly etag?: string;
  /** The history version this write produced. */
  readonly version?: number;
}

export type StoreBackend = 'files' | 'postgres';

/** One claimed delivery: a change or an embargo release to tell the hub and the CDN about. */
export interface Delivery {
  readonly id: number;
  readonly feeds: readonly ChangedFeed[];
  /** Targets already told in an earlier attempt. */
  readonly done: readonly string[];
  /** Attempts so far, this one included. */
  readonly attempts: number;
}

/**
 * The fleet's outbox (PostgreSQL): each change and each embargo release is
 * delivered once for all replicas, whichever claims it.
 */
export interface Outbox {
  /** Claims up to `limit` due deliveries for `leaseMs`: no other replica gets them meanwhile. */
  claim(limit: number, leaseMs: number): Promise<readonly Delivery[]>;
  /** Keeps claimed deliveries for another `leaseMs` (a replica still sending renews its claim; a dead one stops). */
  extend(ids: readonly number[], leaseMs: number): Promise<void>;
  /** Delivered (or given up on): the row goes. */
  complete(id: number): Promise<void>;
  /** Tries again after `delayMs`, skipping the targets in `done`. */
  retry(id: number, done: readonly string[], delayMs: number): Promise<void>;
  /** Records the embargo releases up to `now` that no replica has recorded yet; true when it added a delivery. */
  recordReleases(now: Date): Promise<boolean>;
}

/**
 * Where the articles live. The HTTP layer, WebSub, export and the CLI see
 * only this; `main.ts` picks the backend (files, the default; PostgreSQL
 * when DATABASE_URL is set).
 *
 * Reads are asynchronous because a database answers them; `site()` and
 * `version()` are synchronous because every request needs them first and
 * both backends hold them in memory.
 */
export interface Store {
  readonly backend: StoreBackend;
  /** The site settings (site.json, SITE_URL applied). */
  site(): Site;
  /** The data version: it changes with every change to the articles or the site, and is part of every cache key. */
  version(): number;
  /**
   * One page of a feed at `now` (the main feed when `filter` is undefined).
   * Undefined for a filter no visible article carries: an unknown feed.
   * Drafts never appear; embargoed articles (published after `now`) neither.
   */
  feedPage(filter: FeedFilter | undefined, query: FeedQuery, now: Date, items?: StoredItemsWanted): Promise<FeedPage | undefined>;
  /** One article by id, whatever its status. */
  article(id: string): Promise<Article | undefined>;
  /** Every article, drafts and embargoed ones included, newest first. */
  summaries(): Promise<readonly ArticleSummary[]>;
  /** The translation links `articles` show at `now`: their groups' other visible members. */
  translations(articles: readonly Article[], now: Date): Promise<TranslationsAt>;
  /** Every feed with a visible article at `now`. */
  directory(now: Date): Promise<Directory>;
  health(now: Date): Promise<StoreHealth>;
  /** The earliest embargo release after `now`, if any. */
  nextRelease(now: Date): Promise<Date | undefined>;
  /** The feeds whose newest page changes because embargoed articles become visible in (`from`, `to`]. */
  releasedFeeds(from: Date, to: Date): Promise<readonly ChangedFeed[]>;
  /** Present when the backend can deliver each change once for a fleet of replicas (PostgreSQL). */
  readonly outbox?: Outbox;
  /** Present when the backend keeps rendered items across processes (PostgreSQL; the files backend keeps them in memory). */
  readonly fragments?: FragmentStore;
  /** Tells `listener` about every change; returns the function that stops it. */
  subscribe(listener: StoreListener): () => void;
  /**
   * False until the backend can answer reads with all of its data (the files
   * backend's first load; a database store once connected and its schema
   * checked); reads until then throw StoreNotReadyError. Absent: always ready.
   * /readyz answers 503 while it is false.
   */
  ready?(): boolean;
  /**
   * Resolves once the backend's own preparation after its first load is
   * done, with the feeds whose first pages it made cheap to read (the files
   * backend: index tables built, bodies read and sanitised), busiest first:
   * the app renders those into its response cache next
   * (http/feed-preparation.ts). Absent: the backend prepares nothing.
   */
  readonly prepared?: Promise<readonly PreparedFeed[]>;
  /**
   * Validates and stores one record (the raw JSON bytes of an API body) as
   * article `id`. Throws StoreRecordError (400, every problem),
   * StoreConflictError (409) or StoreUnavailableError (503).
   */
  put(id: string, body: Uint8Array, options?: WriteOptions): Promise<PutResult>;
  /**
   * Removes article `id` from every feed, keeping its last version in the
   * history. False when no article has that id. `options` as for put
   * (StorePreconditionError, 412).
   */
  remove(id: string, options?: WriteOptions): Promise<boolean>;
  /**
   * Stores history version `n` of `id` again, as a new version (undoing a
   * DELETE too). Undefined when there is no such version with a record.
   */
  restore(id: string, n: number, options?: WriteOptions): Promise<PutResult | undefined>;
  /** The ETag of the record stored as `id` (equal on both backends for equal records); undefined when there is none. */
  etag(id: string): Promise<string | undefined>;
  /** Kept versions and the audit trail. */
  readonly history: StoreHistory;
  close(): Promise<void>;
}
