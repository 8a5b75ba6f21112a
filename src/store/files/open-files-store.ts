/**
 * The files backend as a server starts it: usable at once, ready when its
 * first snapshot is complete. main.ts listens straight away; until the load
 * is done every read is refused with StoreNotReadyError (HTTP 503 with
 * Retry-After), never answered from half the data, and progress is logged
 * once a second. Once loaded, the persisted index (record-index.ts) is
 * written in the background if it did not already describe the files, and
 * again a while after reloads, so the next restart reads only what changed.
 */
import { join } from 'node:path';
import type { BodyStorage } from '../../load/load-data.js';
import { createLoadMemo } from '../../load/load-memo.js';
import { StoreNotReadyError } from '../errors.js';
import type { StoreListener } from '../store.js';
import { createFilesStore, type FilesStore } from './files-store.js';
import { loadInitialRecords, type InitialLoad } from './initial-load.js';
import { indexFileName, writeRecordIndex } from './record-index.js';
import type { ReloaderOptions } from './reloader.js';

export interface OpenFilesStoreOptions extends Omit<ReloaderOptions, 'initial'> {
  /** HISTORY_KEEP: versions kept per article (all when undefined). */
  readonly historyKeep?: number;
  readonly clock?: () => Date;
  /** The folder of the persisted index (see cache-dir.ts); undefined: no index. */
  readonly cacheDir?: string;
  /** Where bodies live; default as the loader decides (see BodyStorage). The index is used only with `disk`. */
  readonly bodies?: BodyStorage;
  /** Loader threads; default: one per spare core (see parallel-load.ts). */
  readonly threads?: number;
  /** Between progress lines while loading, ms (default 1000). */
  readonly progressIntervalMs?: number;
  /** Wait after a reload before the index is written again, ms (default 60,000): a burst of edits makes one write. */
  readonly indexRewriteDelayMs?: number;
}

export interface OpeningFilesStore extends FilesStore {
  /** Resolves when the first snapshot is served; rejects if the load failed (the server cannot serve then). */
  readonly whenReady: Promise<void>;
  /** How the first load went, once it is done: records taken from the index, files read, indexed files gone. */
  loadSummary(): Pick<InitialLoad, 'restored' | 'read' | 'vanished'> | undefined;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Opens the files backend: returns at once and loads in the background (see the module comment). */
export function openFilesStore(options: OpenFilesStoreOptions): OpeningFilesStore {
  const log = options.log ?? ((line: string) => console.error(line));
  const indexFile = options.cacheDir === undefined ? undefined : join(options.cacheDir, indexFileName(options.dataDir));
  const started = Date.now();
  let inner: FilesStore | undefined;
  let done = 0;
  let total: number | undefined;
  let closed = false;
  let startRequested = false;
  const listeners = new Set<StoreListener>();
  // This store's own: its first load, its reloads and its articles' bodies share it; no other store does.
  const memo = options.memo ?? createLoadMemo();

  const notReady = (): StoreNotReadyError =>
    new StoreNotReadyError(total === undefined ? 'the articles are still loading' : `the articles are still loading (${count(done)} of ${count(total)} files)`);
  const loaded = (): FilesStore => {
    if (inner === undefined) throw notReady();
    return inner;
  };

  let lastDone = 0;
  let lastAt = started;
  const progress = setInterval(() => {
    const now = Date.now();
    const rate = ((done - lastDone) * 1000) / Math.max(1, now - lastAt);
    [lastDone, lastAt] = [done, now];
    if (total === undefined) log('load: listing the article files and reading the article index');
    else log(`load: ${count(done)} of ${count(total)} article files (${count(Math.round(rate))} files/s)`);
  }, options.progressIntervalMs ?? 1000);
  progress.unref();

  let indexWrite: Promise<void> = Promise.resolve();
  /** Queues a write of the index (one at a time); `after` delays it (the first snapshot's preparation). */
  const writeIndex = (load: InitialLoad, after: Promise<unknown> = Promise.resolve()): void => {
    if (indexFile === undefined || options.cacheDir === undefined) return;
    const dir = options.cacheDir;
    indexWrite = Promise.all([indexWrite, after.catch(() => undefined)]).then(async () => {
      const at = Date.now();
      try {
        const written = await writeRecordIndex(dir, indexFileName(options.dataDir), load.identity, loaded().records());
        log(`load: wrote the article index (${count(written)} records) to ${indexFile} in ${((Date.now() - at) / 1000).toFixed(1)} s`);
      } catch (error) {
        log(`load: cannot write the article index to ${indexFile} (${(error as Error).message}); the next start reads every file`);
      }
    });
  };

  let rewriteTimer: NodeJS.Timeout | undefined;
  let summary: Pick<InitialLoad, 'restored' | 'read' | 'vanished'> | undefined;
  const whenReady = loadInitialRecords({
    dataDir: options.dataDir,
    site: options.site,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(indexFile === undefined ? {} : { indexFile }),
    ...(options.bodies === undefined ? {} : { bodies: options.bodies }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    log,
    memo,
    onProgress: (files, of) => {
      done += files;
      total = of;
    },
  })
    .then((load) => {
      clearInterval(progress);
      const store = createFilesStore({ ...options, initial: load.records, staleTempFilesRemoved: true, memo });
      inner = store;
      summary = { restored: load.restored, read: load.read, vanished: load.vanished };
      store.subscribe((change) => {
        for (const listener of listeners) listener(change);
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      log(`load: ${count(load.records.length)} article files in ${seconds} s (${count(load.restored)} from the index, ${count(load.read)} read, ${count(load.vanished)} indexed files gone)`);
      // After the background preparation, not during it: both at once raised the peak RSS by ~40 MB.
      if (load.bodies === 'disk' && !load.indexCurrent) writeIndex(load, store.prepared);
      if (load.bodies === 'disk' && indexFile !== undefined) {
        // Edits since the start would otherwise all be read again by the next restart.
        store.subscribe(() => {
          if (rewriteTimer !== undefined || closed) return;
          rewriteTimer = setTimeout(() => {
            rewriteTimer = undefined;
            if (!closed) writeIndex(load);
          }, options.indexRewriteDelayMs ?? 60_000);
          rewriteTimer.unref();
        });
      }
      if (startRequested && !closed) store.start();
    })
    .catch((error: unknown) => {
      clearInterval(progress);
      throw error;
    });

  return {
    backend: 'files',
    whenReady,
    loadSummary: () => summary,
    ready: () => inner !== undefined,
    site: () => inner?.site() ?? options.site,
    version: () => inner?.version() ?? 0,
    feedPage: async (filter, query, now) => loaded().feedPage(filter, query, now),
    translations: async (articles, now) => loaded().translations(articles, now),
    article: async (id) => loaded().article(id),
    summaries: async () => loaded().summaries(),
    directory: async (now) => loaded().directory(now),
    health: async (now) => loaded().health(now),
    nextRelease: async (now) => loaded().nextRelease(now),
    releasedFeeds: async (from, to) => loaded().releasedFeeds(from, to),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    put: async (id, body, writeOptions) => loaded().put(id, body, writeOptions),
    remove: async (id, writeOptions) => loaded().remove(id, writeOptions),
    restore: async (id, n, writeOptions) => loaded().restore(id, n, writeOptions),
    etag: async (id) => loaded().etag(id),
    history: {
      versions: async (id) => loaded().history.versions(id),
      version: async (id, n) => loaded().history.version(id, n),
      audit: async (entry) => loaded().history.audit(entry),
      auditSince: async (since, limit) => loaded().history.auditSince(since, limit),
    },
    start() {
      startRequested = true;
      inner?.start();
    },
    reload: async (names) => loaded().reload(names),
    snapshot: () => loaded().snapshot(),
    filesRead: () => inner?.filesRead() ?? 0,
    records: () => loaded().records(),
    get prepared() {
      return whenReady.then(() => loaded().prepared);
    },
    async close() {
      closed = true;
      clearInterval(progress);
      if (rewriteTimer !== undefined) clearTimeout(rewriteTimer);
      await whenReady.catch(() => undefined);
      await inner?.close();
      await indexWrite;
    },
  };
}
