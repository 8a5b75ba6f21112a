/**
 * The response cache filled where a new process is coldest (issue 30).
 * A restart's first reader asked for the main feed the moment /readyz said
 * 200 and paid for rendering and compressing a 360 KB document in a process
 * whose code had never run (52 ms median at 100,000 files, load 2–3); the
 * largest tag's first reader paid the same after the store had read its
 * bodies (32 ms). So the app renders and compresses them itself, through the
 * same cache entries a request uses (feed-routes.ts `prepare`: same key,
 * bytes and ETag; a change during or after it makes the entry stale as it
 * would any other):
 *
 * 1. before ready: the main feed's first page in every served format,
 *    gzip (what feed readers ask for), once the store has loaded; /readyz
 *    answers 503 until it is done (a few tens of ms of CPU);
 * 2. in the background after ready: the first pages of the feeds the store
 *    prepared (Store.prepared: languages, sections, largest tags), in RSS
 *    (BUSIEST_FORMATS), one document per turn of the event loop, while the
 *    cache holds less than half its budget, so what readers ask for later
 *    still has the other half of FEED_CACHE_MB.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FeedFilter } from '../model/feed-filter.js';
import type { DocumentFormat } from '../model/types.js';
import { SERVED_FORMATS } from '../render/render.js';
import type { Store } from '../store/store.js';
import type { ContentCoding } from './compress.js';
import type { FeedCache } from './feed-cache.js';

/** The coding prepared: feed readers send gzip (and most nothing better); br and identity are made on first request. */
const PREPARED_CODING: ContentCoding = 'gzip';
/**
 * The formats the busiest feeds are prepared in: RSS, what most readers poll. Every served format
 * would be four times the documents (about 1 s of CPU after each start at 100,000 files), and each
 * rendered item is also kept in the app's RenderCache, outside FEED_CACHE_MB: the other formats are
 * rendered on first request, from items the RSS render already mapped.
 */
const BUSIEST_FORMATS: readonly DocumentFormat[] = ['rss'];
/** The busiest feeds stop being prepared once the cache holds this share of its budget. */
const BUDGET_SHARE = 0.5;

export interface FeedPreparationDeps {
  readonly store: Store;
  /** Resolves when the store can answer reads (its first load); the preparation starts then. */
  readonly whenStoreReady: Promise<unknown>;
  /** feed-routes.ts `prepare`. */
  readonly prepare: (format: DocumentFormat, filter: FeedFilter | undefined, coding: ContentCoding) => Promise<void>;
  readonly cache: FeedCache;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

export interface FeedPreparation {
  /** True until the main feed's documents are in the cache (or failed to render): the app is not ready meanwhile. */
  preparing(): boolean;
  /** Resolves when the main feed's documents are in the cache (never rejects). */
  readonly mainFeed: Promise<void>;
  /** Resolves when the busiest feeds' documents are in the cache, or the budget stopped it (never rejects). */
  readonly busiest: Promise<void>;
}

/** Starts preparing (see the module comment) as soon as the store is ready. */
export function startFeedPreparation(deps: FeedPreparationDeps): FeedPreparation {
  let preparing = true;
  const { log } = deps;
  const one = async (format: DocumentFormat, filter?: FeedFilter): Promise<boolean> => {
    try {
      await deps.prepare(format, filter, PREPARED_CODING);
      return true;
    } catch (error) {
      // A feed that cannot be rendered now (a 404, a store outage) is rendered, or refused, on request as before.
      log(`feeds: could not prepare ${format} of ${filter === undefined ? 'the main feed' : `${filter.kind} ${filter.slug}`} (${(error as Error).message})`, 'warn');
      return false;
    }
  };
  const mainFeed = deps.whenStoreReady
    .then(async () => {
      const cpu = process.cpuUsage();
      let made = 0;
      for (const format of SERVED_FORMATS) if (await one(format)) made += 1;
      const { user, system } = process.cpuUsage(cpu);
      log(`feeds: the main feed's first page rendered and compressed before ready (${made} formats, ${PREPARED_CODING}; ${((user + system) / 1000).toFixed(0)} ms of CPU)`);
    })
    .catch(() => undefined)
    .finally(() => {
      preparing = false;
    });
  const busiest = mainFeed.then(async () => {
    const feeds = (await deps.store.prepared?.catch(() => [])) ?? [];
    const started = performance.now();
    const cpu = process.cpuUsage();
    let made = 0;
    const full = () => deps.cache.size.bytes >= deps.cache.maxBytes * BUDGET_SHARE;
    for (const format of BUSIEST_FORMATS) {
      for (const { filter } of feeds) {
        // The main feed was prepared before ready.
        if (filter === undefined) continue;
        if (full()) break;
        if (await one(format, filter)) made += 1;
        await yieldToEventLoop();
      }
    }
    if (feeds.length === 0) return;
    const { user, system } = process.cpuUsage(cpu);
    log(`feeds: the busiest feeds' first pages rendered and compressed in ${((performance.now() - started) / 1000).toFixed(1)} s (${made} documents, ${PREPARED_CODING}; ${((user + system) / 1000).toFixed(0)} ms of CPU${full() ? '; stopped at half of FEED_CACHE_MB' : ''})`);
  });
  return { preparing: () => preparing, mainFeed, busiest };
}
