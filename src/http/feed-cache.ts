import { compress, type ContentCoding } from './compress.js';
import { strongEtag, type Reply } from './reply.js';
import { FeedGenerations } from './feed-generations.js';

/** One coding of a feed document: its bytes and the headers that go with them, computed once. */
export interface Representation {
  readonly coding: ContentCoding;
  readonly bytes: Buffer;
  /** Strong ETag from these bytes: base64url of the first 16 bytes of their SHA-256, quoted. */
  readonly etag: string;
  /** Headers of a 200 (Cache-Control excepted: it depends on the time). */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers of a 304: the validators and Vary, no body headers. */
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

/**
 * A rendered feed document and its compressed forms. Everything here
 * depends only on the bytes, so two renders with equal bytes share one
 * RenderedFeed (and its compressed forms) across data versions.
 */
export class RenderedFeed {
  readonly identity: Representation;
  /** Last-Modified in whole seconds, for If-Modified-Since. */
  readonly lastModifiedSeconds: number;
  private readonly encoded = new Map<ContentCoding, Representation>();
  private readonly pending = new Map<ContentCoding, Promise<Representation>>();

  constructor(
    body: Buffer,
    readonly contentType: string,
    /** The newest change among the feed's items. */
    readonly lastModified: Date,
    private readonly onCompressed: (feed: RenderedFeed, bytes: number, coding: ContentCoding, seconds: number) => void = () => undefined,
  ) {
    this.lastModifiedSeconds = Math.floor(lastModified.getTime() / 1000);
    this.identity = this.represent('identity', body);
    this.encoded.set('identity', this.identity);
  }

  /** Total bytes held (identity and every compressed form made so far). */
  get size(): number {
    let total = 0;
    for (const representation of this.encoded.values()) total += representation.bytes.length;
    return total;
  }

  /** The representation in `coding` if it is made already: the synchronous hot path. */
  ready(coding: ContentCoding): Representation | undefined {
    return this.encoded.get(coding);
  }

  /** The representation in `coding`, compressing on first use; concurrent first uses share one compression. */
  representation(coding: ContentCoding): Representation | Promise<Representation> {
    const ready = this.encoded.get(coding);
    if (ready) return ready;
    let pending = this.pending.get(coding);
    if (!pending) {
      const started = performance.now();
      pending = compress(this.identity.bytes, coding as Exclude<ContentCoding, 'identity'>).then((bytes) => {
        const representation = this.represent(coding, bytes);
        this.encoded.set(coding, representation);
        this.pending.delete(coding);
        this.onCompressed(this, bytes.length, coding, (performance.now() - started) / 1000);
        return representation;
      });
      pending.catch(() => this.pending.delete(coding));
      this.pending.set(coding, pending);
    }
    return pending;
  }

  private represent(coding: ContentCoding, bytes: Buffer): Representation {
    const etag = strongEtag(bytes);
    const lastModified = this.lastModified.toUTCString();
    return {
      coding,
      bytes,
      etag,
      headers: {
        'Content-Type': this.contentType,
        'Content-Length': String(bytes.length),
        ...(coding === 'identity' ? {} : { 'Content-Encoding': coding }),
        ETag: etag,
        'Last-Modified': lastModified,
        Vary: 'Accept-Encoding',
      },
      notModifiedHeaders: { ETag: etag, 'Last-Modified': lastModified, Vary: 'Accept-Encoding' },
    };
  }
}

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
}

interface Entry {
  readonly generation: number;
  value?: CachedFeed;
  pending?: Promise<CachedFeed>;
}

export interface FeedCacheOptions {
  /** Entries (feed × format × query) kept at most. */
  readonly maxEntries: number;
  /** Bytes of rendered and compressed documents kept at most. */
  readonly maxBytes: number;
  /** Told how long each compression took (metrics). */
  readonly onCompressed?: (coding: ContentCoding, seconds: number) => void;
}

/** Counters for tests and benchmarks. */
export interface FeedCacheStats {
  renders: number;
  hits: number;
  compressions: number;
  evictions: number;
}

/**
 * Rendered feeds in memory, keyed by feed, format and query; each entry is
 * valid until a store change touches its feed (feed-generations.ts) and until the
 * feed's next embargo release, when an article joins it. Requests for
 * a cold or stale entry share one render. Least recently used entries are
 * dropped beyond `maxEntries` or `maxBytes`, so arbitrary query strings
 * cannot grow memory without bound.
 */
export class FeedCache {
  private readonly entries = new Map<string, Entry>();
  private readonly dropListeners: ((feed: RenderedFeed) => void)[] = [];
  private bytes = 0;
  private readonly generations = new FeedGenerations();
  readonly stats: FeedCacheStats = { renders: 0, hits: 0, compressions: 0, evictions: 0 };

  constructor(private readonly options: FeedCacheOptions) {}

  get generation(): number {
    return this.generations.generation;
  }

  /**
   * The data changed: the entries of the feeds at `paths` (every page and
   * query of each) and of every non-feed document are stale from now on, and
   * are replaced on their next request; every entry when `paths` is undefined.
   */
  invalidate(paths?: readonly string[]): void {
    this.generations.invalidate(paths);
  }

  /** True when an entry (or a response replayed from it) under `key`, made at `generation`, is still current. */
  isCurrent(key: string, generation: number): boolean {
    return this.generations.isCurrent(key, generation);
  }

  /**
   * Tells `listener` whenever a feed leaves the cache (evicted, failed or
   * replaced by a new render). Whoever else holds its bytes (the fast path)
   * lets go then, so the cache's byte budget covers every cached byte.
   */
  onDrop(listener: (feed: RenderedFeed) => void): void {
    this.dropListeners.push(listener);
  }

  /** True while `feed` is the value of some entry: its bytes are counted in the budget. */
  holds(feed: RenderedFeed): boolean {
    for (const entry of this.entries.values()) if (entry.value?.feed === feed) return true;
    return false;
  }

  private dropped(feed: RenderedFeed): void {
    for (const listener of this.dropListeners) listener(feed);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** A fresh cached feed, synchronously, or undefined: the hot path. */
  peek(key: string, _generation: number, now: number): CachedFeed | undefined {
    const entry = this.entries.get(key);
    if (entry?.value === undefined || !this.isCurrent(key, entry.generation)) return undefined;
    if (entry.value.nextRelease !== undefined && now >= entry.value.nextRelease) return undefined;
    this.stats.hits += 1;
    // Map order is insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * The cached feed for `key`, rendering it if it is missing or stale.
   * Concurrent calls for the same stale key wait for one render. When the
   * new bytes equal the old ones, the old RenderedFeed (with its compressed
   * forms) is kept, so unchanged feeds are never compressed again.
   */
  get(key: string, generation: number, now: number, render: () => RenderResult | Promise<RenderResult>): CachedFeed | Promise<CachedFeed> {
    const hit = this.peek(key, generation, now);
    if (hit) return hit;
    const existing = this.entries.get(key);
    if (existing?.pending !== undefined && this.isCurrent(key, existing.generation)) return existing.pending;
    const previous = existing?.value?.feed;
    const entry: Entry = { generation };
    const settle = (result: RenderResult): CachedFeed => {
      const body = Buffer.from(result.body, 'utf8');
      const feed =
        previous !== undefined && previous.contentType === result.contentType && previous.identity.bytes.equals(body)
          ? previous
          : new RenderedFeed(body, result.contentType, result.lastModified, this.growthReporter(key));
      const value: CachedFeed = { feed, ...(result.nextRelease === undefined ? {} : { nextRelease: result.nextRelease }) };
      if (this.entries.get(key) === entry) {
        entry.value = value;
        delete entry.pending;
        this.bytes += feed.size;
        this.evict(key);
      }
      return value;
    };
    this.stats.renders += 1;
    // The stale entry leaves the cache now; its feed may come back through `previous`.
    if (existing?.value !== undefined) {
      this.bytes -= existing.value.feed.size;
      this.dropped(existing.value.feed);
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    let result: RenderResult | Promise<RenderResult>;
    try {
      result = render();
    } catch (error) {
      this.remove(key, entry);
      throw error;
    }
    if (!(result instanceof Promise)) return settle(result);
    entry.pending = result.then(settle, (error: unknown) => {
      this.remove(key, entry);
      throw error;
    });
    return entry.pending;
  }

  /**
   * The callback a feed reports its compressed forms to. Made here, not
   * inline in get(): a closure created there would share get()'s scope,
   * which holds the previous feed, and every feed would keep the one before
   * it alive — a chain of every render since start (found by the soak test).
   */
  private growthReporter(key: string): (owner: RenderedFeed, added: number, coding: ContentCoding, seconds: number) => void {
    return (owner, added, coding, seconds) => {
      this.options.onCompressed?.(coding, seconds);
      this.grew(key, owner, added);
    };
  }

  /** A compressed form was added to a feed: count its bytes against the entry that owns it, if still cached. */
  private grew(key: string, owner: RenderedFeed, added: number): void {
    this.stats.compressions += 1;
    if (this.entries.get(key)?.value?.feed === owner) {
      this.bytes += added;
      this.evict(key);
    }
  }

  private remove(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    if (entry.value !== undefined) {
      this.bytes -= entry.value.feed.size;
      this.dropped(entry.value.feed);
    }
  }

  /** Drops least recently used entries until within bounds; never the one just used. */
  private evict(keep: string): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) return;
      if (key === keep) continue;
      this.remove(key, entry);
      this.stats.evictions += 1;
    }
  }
}

/** A cached document's coding as the one writer sends it (reply.ts). */
export function replyOf(feed: RenderedFeed, representation: Representation): Reply {
  return { etag: representation.etag, lastModifiedSeconds: feed.lastModifiedSeconds, headers200: representation.headers, headers304: representation.notModifiedHeaders, bytes: representation.bytes };
}
