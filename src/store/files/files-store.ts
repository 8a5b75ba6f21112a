import { join } from 'node:path';
import { prepareInBackground, prepareMainPage } from './prepare.js';
import { type ChangedFeed } from '../../model/feed-filter.js';
import { changedFeeds } from './changes.js';
import type { FileRecord, Snapshot } from '../snapshot.js';
import { createSnapshotHolder, type SnapshotHolder } from '../snapshot.js';
import { StoreUnavailableError } from '../errors.js';
import type { PreparedFeed, Store, StoreChange, StoreListener } from '../store.js';
import { createReloader, type ReloaderOptions } from './reloader.js';
import { dataAt, snapshotReads } from './snapshot-reads.js';
import { createFileWrites } from './file-writes.js';
import { createFileHistory } from './file-history.js';
import { ARTICLES_DIR } from '../../load/load-data.js';

/** The files backend: DATA_DIR read at start, watched, reloaded; writes go to DATA_DIR/articles. */
export interface FilesStore extends Store {
  readonly backend: 'files';
  /** Starts watching DATA_DIR and the periodic rescan. */
  start(): void;
  /** Re-reads the named article files now (all changed files without names); resolves once they are served. */
  reload(names?: readonly string[]): Promise<void>;
  /** The snapshot being served: for export and tests. */
  snapshot(): Snapshot;
  /** Article files parsed since creation. */
  filesRead(): number;
  /** The current record of every article file (what the persisted index is written from). */
  records(): readonly FileRecord[];
  /** True once the first snapshot is complete (createFilesStore: at once; openFilesStore: after the load). */
  ready(): boolean;
  /** Resolves when the background preparation of the first snapshot (indexes, the busiest feeds' bodies; see prepare.ts) is done, with the feeds it prepared. */
  readonly prepared: Promise<readonly PreparedFeed[]>;
}

/**
 * A change event whose feed list is computed on first use: the response
 * cache only needs the version, and comparing feeds costs a resolve per
 * candidate feed, so it is done only when someone (WebSub) asks.
 */
function lazyChange(next: Snapshot, previous: Snapshot, now: Date): StoreChange {
  let feeds: readonly ChangedFeed[] | undefined;
  return {
    version: next.version,
    get feeds() {
      feeds ??= changedFeeds(dataAt(previous, now), dataAt(next, now));
      return feeds;
    },
  };
}

function listenersOf(subscribe: (listener: (next: Snapshot, previous: Snapshot) => void) => () => void, clock: () => Date) {
  return (listener: StoreListener) => subscribe((next, previous) => listener(lazyChange(next, previous, clock())));
}

/** The embedded default backend: every record in memory, kept in step with DATA_DIR by the reloader. */
export function createFilesStore(options: ReloaderOptions & { readonly clock?: () => Date; readonly historyKeep?: number }): FilesStore {
  const clock = options.clock ?? (() => new Date());
  const reloader = createReloader(options);
  const holder = reloader.store;
  const history = createFileHistory({ dataDir: options.dataDir, ...(options.historyKeep === undefined ? {} : { keep: options.historyKeep }) });
  const log = options.log ?? ((line: string) => console.error(line));
  const writes = createFileWrites({ articlesDir: join(options.dataDir, ARTICLES_DIR), dataDir: options.dataDir, current: holder.current, reload: reloader.reload, refresh: reloader.refresh, history, clock, log });
  const prepare = (snapshot: Snapshot): Promise<readonly PreparedFeed[]> => prepareInBackground(snapshot, () => holder.current() === snapshot, clock);
  // Before the store is ready (open-files-store.ts sets it ready when this returns): the first reader's page.
  prepareMainPage(holder.current(), clock());
  const preparing = Date.now();
  // Never rejects: the preparation only saves later requests work, and they do it themselves if it failed.
  const prepared = prepare(holder.current()).then(
    (feeds) => {
      log(`load: feed indexes built and the busiest feeds' first pages prepared in ${((Date.now() - preparing) / 1000).toFixed(1)} s`);
      return feeds;
    },
    (error: unknown) => {
      log(`load: preparing the feed indexes failed (${(error as Error).message}); requests build them as needed`);
      return [];
    },
  );
  holder.subscribe((next) => void prepare(next).catch(() => undefined));
  return {
    backend: 'files',
    ...snapshotReads(holder.current),
    subscribe: listenersOf(holder.subscribe, clock),
    put: writes.put,
    remove: writes.remove,
    restore: writes.restore,
    etag: writes.etag,
    history,
    start: () => reloader.start(),
    reload: (names) => reloader.reload(names),
    snapshot: holder.current,
    filesRead: () => reloader.filesRead(),
    records: () => reloader.records(),
    ready: () => true,
    prepared,
    close: () => reloader.close(),
  };
}

/** A read-only store over whatever snapshot `holder` holds: the reloader's, in tests that drive it by hand. */
export function createHolderStore(holder: SnapshotHolder, clock: () => Date = () => new Date()): Store & { replace(next: Snapshot): void } {
  const readOnly = async (): Promise<never> => {
    throw new StoreUnavailableError('this store serves a fixed snapshot and takes no writes');
  };
  return {
    backend: 'files',
    ...snapshotReads(holder.current),
    subscribe: listenersOf(holder.subscribe, clock),
    put: readOnly,
    remove: readOnly,
    restore: readOnly,
    etag: async () => undefined,
    // No history and nowhere to audit: a refused write against a fixed snapshot is only answered.
    history: { versions: async () => [], version: async () => undefined, audit: async () => undefined, auditSince: async () => [] },
    replace: (next) => holder.replace(next),
    close: async () => undefined,
  };
}

/** A read-only store over one snapshot: what a static export serves, and what tests build from records without a data folder. */
export function createSnapshotStore(snapshot: Snapshot, clock: () => Date = () => new Date()): Store & { replace(next: Snapshot): void } {
  return createHolderStore(createSnapshotHolder(snapshot), clock);
}
