import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DocumentFormat } from '../model/types.js';
import type { Store } from '../store/store.js';

/** What a database pool reports about itself; node-postgres's Pool has exactly these counts. */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** The labels of one answered request. */
export interface RequestLabels {
  /** What was asked for: `feed`, a filtered feed kind (`tag`, `section`, …), `page`, `api`, … (see classifyRequest). */
  readonly kind: string;
  /** `rss`, `atom`, `json` for feeds; `none` otherwise. */
  readonly format: string;
  readonly status: number;
}

/**
 * The Prometheus metrics of one app, in a registry of its own (two apps in
 * one process, or a test next to another, never mix their counts; prom-client's
 * global registry would). Everything is named `wirefeed_…` except the default
 * process metrics (`process_…`, `nodejs_…`).
 */
export interface Metrics {
  readonly registry: Registry;
  /** One answered request, by its labels (RequestLabels) as arguments: no object per request. */
  countRequest(kind: string, format: string, status: number): void;
  countCache(result: 'hit' | 'miss' | 'stale'): void;
  observeRender(format: DocumentFormat, seconds: number): void;
  observeCompression(coding: string, seconds: number): void;
  observeReload(seconds: number): void;
  countWebSubPing(outcome: 'accepted' | 'failed' | 'abandoned'): void;
  /** Articles loaded, visible now and rejected, read from the store at each scrape. */
  watchStore(store: Store, clock: () => Date): void;
  /** The response cache's documents and bytes (FeedCache.size), read at each scrape: what FEED_CACHE_MB bounds. */
  watchCache(cache: { readonly size: { readonly entries: number; readonly bytes: number } }): void;
  /** Hook for a database backend: its pool's connections, read at each scrape. */
  watchPool(pool: PoolCounts): void;
  /** Readership: subscriber estimates of the feeds to show (the caller bounds them: main feed and 20 largest), read at each scrape. */
  watchSubscribers(feeds: () => readonly { readonly feed: string; readonly subscribers: number; readonly hostedSubscribers: number; readonly individual: number }[]): void;
  /** Hook for a database backend: time from a change being committed to this replica serving it. */
  observeChangeLag(seconds: number): void;
  /** The text exposition format (`/metrics`). */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Seconds; from a cached-size feed's render (~1 ms) to a 100,000-article reload (~seconds). */
const TIME_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(options: { readonly processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  // Counted per request in plain tallies and handed to prom-client at each scrape: prom-client's inc
  // builds and validates a label key string on every call, which a cached 304 paid twice.
  const requestTally = createTally(3);
  const cacheTally = createTally(1);
  new Counter({ name: 'wirefeed_http_requests_total', help: 'HTTP requests answered, by route kind, format and status', labelNames: ['kind', 'format', 'status'], registers, collect() {
    requestTally.drain(([kind, format, status], n) => this.inc({ kind, format, status }, n));
  } });
  const cache = new Counter({ name: 'wirefeed_feed_cache_requests_total', help: 'Feed requests answered from the response cache (hit) or rendered for it (miss)', labelNames: ['result'], registers, collect() {
    cacheTally.drain(([result], n) => this.inc({ result }, n));
  } });
  const render = new Histogram({ name: 'wirefeed_render_seconds', help: 'Time to render one feed document', labelNames: ['format'], buckets: TIME_BUCKETS, registers });
  const compression = new Histogram({ name: 'wirefeed_compression_seconds', help: 'Time to compress one feed document', labelNames: ['coding'], buckets: TIME_BUCKETS, registers });
  const reload = new Histogram({ name: 'wirefeed_reload_seconds', help: 'Time from the start of a data reload to the new snapshot being served', buckets: TIME_BUCKETS, registers });
  const pings = new Counter({ name: 'wirefeed_websub_pings_total', help: 'WebSub hub pings: accepted, failed (an attempt, retried) or abandoned (after the last attempt)', labelNames: ['outcome'], registers });
  const lag = new Histogram({ name: 'wirefeed_change_propagation_seconds', help: 'Time from a change being committed to this replica serving it (database backend)', buckets: TIME_BUCKETS, registers });
  for (const outcome of ['accepted', 'failed', 'abandoned']) pings.inc({ outcome }, 0);
  for (const result of ['hit', 'miss']) cache.inc({ result }, 0);

  let watched: { store: Store; clock: () => Date } | undefined;
  new Gauge({
    name: 'wirefeed_articles',
    help: 'Articles in the store: loaded (valid), visible now (published, embargo passed) and rejected (files with errors)',
    labelNames: ['state'],
    registers,
    async collect() {
      if (watched === undefined) return;
      const health = await watched.store.health(watched.clock());
      this.set({ state: 'loaded' }, health.articles);
      this.set({ state: 'visible' }, health.visible);
      this.set({ state: 'rejected' }, health.rejected.length);
    },
  });
  let feedCache: { readonly size: { readonly entries: number; readonly bytes: number } } | undefined;
  new Gauge({
    name: 'wirefeed_feed_cache_bytes',
    help: 'Bytes of rendered and compressed documents the response cache holds (at most FEED_CACHE_MB, plus the document just used)',
    registers,
    collect() {
      if (feedCache !== undefined) this.set(feedCache.size.bytes);
    },
  });
  new Gauge({
    name: 'wirefeed_feed_cache_entries',
    help: 'Documents (feed × format × query) the response cache holds (at most FEED_CACHE_ENTRIES)',
    registers,
    collect() {
      if (feedCache !== undefined) this.set(feedCache.size.entries);
    },
  });
  let pool: PoolCounts | undefined;
  new Gauge({
    name: 'wirefeed_db_pool_connections',
    help: 'Database pool connections: total, idle, and clients waiting for one',
    labelNames: ['state'],
    registers,
    collect() {
      if (pool === undefined) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  let subscriberFeeds: Parameters<Metrics['watchSubscribers']>[0] | undefined;
  new Gauge({
    name: 'wirefeed_feed_subscribers',
    help: "Subscribers today (UTC) by feed path, as of the last stats flush: hosted readers' reported counts plus distinct reader apps; the main feed and the 20 largest feeds only",
    labelNames: ['feed', 'source'],
    registers,
    collect() {
      if (subscriberFeeds === undefined) return;
      // Feeds that left the top 20 are dropped, not left at their last value.
      this.reset();
      for (const f of subscriberFeeds()) {
        this.set({ feed: f.feed, source: 'hosted' }, f.hostedSubscribers);
        this.set({ feed: f.feed, source: 'individual' }, f.individual);
      }
    },
  });

  return {
    registry,
    countRequest: (kind, format, status) => requestTally.add(kind, format, status),
    countCache: (result) => cacheTally.add(result),
    observeRender: (format, seconds) => render.observe({ format }, seconds),
    observeCompression: (coding, seconds) => compression.observe({ coding }, seconds),
    observeReload: (seconds) => reload.observe(seconds),
    countWebSubPing: (outcome) => pings.inc({ outcome }),
    watchStore: (store, clock) => void (watched = { store, clock }),
    watchCache: (cache) => void (feedCache = cache),
    watchPool: (counts) => void (pool = counts),
    watchSubscribers: (feeds) => void (subscriberFeeds = feeds),
    observeChangeLag: (seconds) => lag.observe(seconds),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/**
 * Counts by label values in nested maps of plain numbers: adding one to a
 * label set seen before allocates nothing. `drain` hands each count added
 * since the last drain (label values as strings) to a prom-client counter.
 */
function createTally(depth: 1 | 2 | 3): { add(a: string | number, b?: string | number, c?: string | number): void; drain(each: (values: string[], n: number) => void): void } {
  interface Level {
    readonly next: Map<string | number, Level>;
    n: number;
  }
  const root: Level = { next: new Map(), n: 0 };
  const step = (level: Level, value: string | number): Level => {
    let child = level.next.get(value);
    if (child === undefined) level.next.set(value, (child = { next: new Map(), n: 0 }));
    return child;
  };
  const walk = (level: Level, path: string[], each: (values: string[], n: number) => void): void => {
    if (path.length === depth) {
      if (level.n > 0) each(path, level.n);
      level.n = 0;
      return;
    }
    for (const [value, child] of level.next) walk(child, [...path, String(value)], each);
  };
  return {
    // Up to three label values as separate arguments: a rest parameter would allocate an array per request.
    add(a, b, c) {
      let level = step(root, a);
      if (depth > 1) level = step(level, b ?? '');
      if (depth > 2) level = step(level, c ?? '');
      level.n += 1;
    },
    drain: (each) => walk(root, [], each),
  };
}
