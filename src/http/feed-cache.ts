import { RenderedFeed, type ContentCoding, type Representation } from './compress.js';
import type { Reply } from './reply.js';
import { FeedGenerations } from './feed-generations.js';
import type { CachedFeed, FeedCacheOptions, FeedCacheStats, RenderResult } from './feed-cache-types.js';
import { StoreUnavailableError } from '../store/errors.js';

export { RenderedFeed, type Representation } from './compress.js';
export type { CachedFeed, FeedCacheOptions, FeedCacheStats, RenderResult } from './feed-cache-types.js';

interface Entry {
  readonly generation: number;
  /** Epoch ms (the app's clock) of the request that started this entry's render. */
  readonly startedAt: number;
  value?: CachedFeed;
  pending?: Promise<CachedFeed>;
  /** While a render runs: the entry it replaces, whose document is served if the render cannot reach the store. */
  previous?: Entry;
  /** After a render failed for want of the store: until when (epoch ms) the stale value is served without trying again. */
  retryAt?: number;
  /**
   * Rendered ahead of requests (feed-preparation.ts), not served since: dropped when stale, not kept for
   * an outage. No client held it; in an outage it could be older than what another replica gave a CDN.
   */
  unserved?: true;
  /**
   * Bytes of `value` counted in the budget: its identity and every
   * compressed form made of it while this entry held it, whether as the
   * current document or as `previous` of a render. Subtracted as counted
   * when the entry goes, so the tally never drifts from what is held.
   */
  charged?: number;
}

/**
 * After a render failed because the store could not answer, how long the
 * last rendered document is served before one request tries again: one
 * attempt per document per second, not one per request, while the
 * database is down.
 */
const RETRY_MS = 1000;

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
  readonly stats: FeedCacheStats = { renders: 0, hits: 0, stale: 0, compressions: 0, evictions: 0 };

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

  /** True when no change since `generation` touched the documents under `key` (the data half of isFresh). */
  isCurrent(key: string, generation: number): boolean {
    return this.generations.isCurrent(key, generation);
  }

  /**
   * The one freshness rule: may `value`, cached under `key` at `generation`, be served at `now` and for
   * `forMs` after? Not when it stands in for a failed render, once a change touched its feed, its next
   * embargo release came or `expireAfterMs` passed. The fast path asks it for the Cache-Control window
   * its replayed headers promise (fast-path.ts), so nothing replays what the cache would not serve.
   */
  isFresh(key: string, generation: number, value: CachedFeed, now: number, forMs = 0): boolean {
    // Replayed, an answer served for want of the store would outlive the outage.
    if (value.stale === true || !this.generations.isCurrent(key, generation)) return false;
    const until = now + forMs;
    if (value.nextRelease !== undefined && until >= value.nextRelease) return false;
    const expireAfter = this.options.expireAfterMs;
    return expireAfter === undefined || until < value.renderedAt + expireAfter;
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

  /** Every document the cache can still serve (current, and replaced ones kept for an outage); what its budget must cover. */
  *documents(): Iterable<RenderedFeed> {
    for (const entry of this.entries.values()) {
      if (entry.value !== undefined) yield entry.value.feed;
      if (entry.previous?.value !== undefined) yield entry.previous.value.feed;
    }
  }

  private dropped(feed: RenderedFeed): void {
    for (const listener of this.dropListeners) listener(feed);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The byte budget (FEED_CACHE_MB): beyond it, least recently used documents are dropped. */
  get maxBytes(): number {
    return this.options.maxBytes;
  }

  /** A fresh cached feed, synchronously, or undefined: the hot path. */
  peek(key: string, _generation: number, now: number): CachedFeed | undefined {
    const entry = this.entries.get(key);
    if (entry?.value === undefined || !this.isFresh(key, entry.generation, entry.value, now)) return undefined;
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
   * forms) is kept, so unchanged feeds are never compressed again. The old
   * document stays until its replacement is rendered: when the render fails
   * because the store cannot answer, it is served instead (stale-if-error),
   * so only a document never rendered since start answers 503 in an outage.
   */
  get(key: string, generation: number, now: number, render: () => RenderResult | Promise<RenderResult>, use: 'request' | 'prepare' = 'request'): CachedFeed | Promise<CachedFeed> {
    const hit = this.peek(key, generation, now);
    if (hit) {
      if (use === 'request') delete this.entries.get(key)?.unserved;
      return hit;
    }
    const existing = this.entries.get(key);
    const waiting = this.staleWhileDown(existing);
    if (waiting !== undefined) return waiting;
    if (existing?.pending !== undefined && this.isCurrent(key, existing.generation)) {
      if (use === 'request') delete existing.unserved;
      return existing.pending;
    }
    let previous = existing?.value === undefined ? existing?.previous : existing;
    if (previous?.unserved === true && previous.value !== undefined) {
      // Never served: not kept for an outage (see Entry.unserved); it leaves the budget and the fast path now.
      this.bytes -= previous.charged ?? 0;
      this.dropped(previous.value.feed);
      previous = undefined;
    }
    const entry: Entry = { generation, startedAt: now, ...(previous?.value === undefined ? {} : { previous }), ...(use === 'prepare' ? { unserved: true as const } : {}) };
    this.stats.renders += 1;
    this.entries.delete(key);
    this.entries.set(key, entry);
    let result: RenderResult | Promise<RenderResult>;
    try {
      result = render();
    } catch (error) {
      return this.failed(key, entry, error);
    }
    if (!(result instanceof Promise)) return this.settle(key, entry, result);
    entry.pending = result.then(
      (rendered) => this.settle(key, entry, rendered),
      (error: unknown) => this.failed(key, entry, error),
    );
    return entry.pending;
  }

  /** In an outage (a render of this entry failed within RETRY_MS, or one is retrying now): the last rendered document. */
  private staleWhileDown(entry: Entry | undefined): CachedFeed | undefined {
    const down = entry?.retryAt !== undefined ? entry : entry?.previous?.retryAt !== undefined ? entry.previous : undefined;
    if (down?.value === undefined) return undefined;
    // The retry is running (entry.pending) or not yet due: nobody waits on a database that is down.
    if (down === entry && this.now() >= (down.retryAt ?? 0)) return undefined;
    this.stats.stale += 1;
    return { ...down.value, stale: true };
  }

  /** Real time for retries (the app's clock may be a test's fixed instant; the database's outage is not). */
  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** A render finished: its document replaces the one it was rendered to replace. */
  private settle(key: string, entry: Entry, result: RenderResult): CachedFeed {
    const before = entry.previous?.value?.feed;
    const body = Buffer.from(result.body, 'utf8');
    const feed =
      before !== undefined && before.contentType === result.contentType && before.identity.bytes.equals(body)
        ? before
        : new RenderedFeed(body, result.contentType, result.lastModified, this.growthReporter(key));
    const value: CachedFeed = { feed, renderedAt: entry.startedAt, ...(result.nextRelease === undefined ? {} : { nextRelease: result.nextRelease }) };
    if (this.entries.get(key) === entry) {
      this.letGoOfPrevious(entry, feed);
      entry.value = value;
      delete entry.pending;
      entry.charged = feed.size;
      this.bytes += feed.size;
      this.evict(key);
    }
    return value;
  }

  /** A render failed: the last rendered document if the store was unreachable and there is one, else the error. */
  private failed(key: string, entry: Entry, error: unknown): CachedFeed {
    const previous = entry.previous;
    if (error instanceof StoreUnavailableError && previous?.value !== undefined && this.entries.get(key) === entry) {
      previous.retryAt = this.now() + RETRY_MS;
      this.entries.set(key, previous);
      this.stats.stale += 1;
      return { ...previous.value, stale: true };
    }
    this.remove(key, entry);
    throw error;
  }

  /** The document a finished render replaces leaves the budget (and the fast path, unless it is the same bytes). */
  private letGoOfPrevious(entry: Entry, kept?: RenderedFeed): void {
    const previous = entry.previous;
    delete entry.previous;
    const old = previous?.value?.feed;
    if (old === undefined) return;
    this.bytes -= previous?.charged ?? 0;
    if (old !== kept) this.dropped(old);
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

  /**
   * A compressed form was added to a feed: count its bytes against the
   * entry that holds it, if still cached — the current document, or the one
   * a render in progress will replace (a reader's gzip of it can finish
   * after a write started that render; uncounted, it was held anyway and
   * later subtracted, and the tally fell below what was held).
   */
  private grew(key: string, owner: RenderedFeed, added: number): void {
    this.stats.compressions += 1;
    const entry = this.entries.get(key);
    const holder = entry?.value?.feed === owner ? entry : entry?.previous?.value?.feed === owner ? entry.previous : undefined;
    if (holder === undefined) return;
    holder.charged = (holder.charged ?? 0) + added;
    this.bytes += added;
    this.evict(key);
  }

  private remove(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.letGoOfPrevious(entry);
    if (entry.value !== undefined) {
      this.bytes -= entry.charged ?? 0;
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
