import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';

/** What the watcher asks the reloader to look at again. */
export interface PendingWork {
  /** Article file names an event named. */
  readonly names: Set<string>;
  /** Compare every file (an event without a name, the folder replaced, the periodic rescan). */
  scan: boolean;
  /** site.json may have changed. */
  site: boolean;
}

export interface DataWatcherOptions {
  readonly dataDir: string;
  /** Watch with fs.watch (default true); off, only the rescan finds changes. */
  readonly watch: boolean;
  readonly debounceMs: number;
  readonly maxDelayMs: number;
  /** 0: no periodic rescan. */
  readonly rescanIntervalMs: number;
  readonly pending: PendingWork;
  readonly isRecordFileName: (name: string) => boolean;
  /** Runs the pending work (queued, one reload at a time). */
  readonly reload: () => void;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

/**
 * Turns file-system events into reloads: fs.watch on the data folder (for
 * site.json and the articles folder being replaced) and on articles/, a
 * debounce so that a burst of saves is one reload (but never later than
 * `maxDelayMs` after the first event, so a long import shows progress), and
 * a periodic rescan that catches what fs.watch missed (network file systems).
 */
export function createDataWatcher(options: DataWatcherOptions): { start(): void; close(): void } {
  const { dataDir, pending, log } = options;
  const articlesDir = join(dataDir, ARTICLES_DIR);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt: number | undefined;
  let articlesWatcher: FSWatcher | undefined;
  let dataWatcher: FSWatcher | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;

  const schedule = (): void => {
    if (closed) return;
    const now = Date.now();
    firstEventAt ??= now;
    if (timer) clearTimeout(timer);
    const due = Math.min(now + options.debounceMs, firstEventAt + options.maxDelayMs);
    timer = setTimeout(() => {
      timer = undefined;
      firstEventAt = undefined;
      options.reload();
    }, Math.max(0, due - now));
  };

  const watchArticles = (): void => {
    if (articlesWatcher || closed) return;
    try {
      articlesWatcher = watch(articlesDir, { persistent: false }, (_event, filename) => {
        if (filename === null) pending.scan = true;
        else if (options.isRecordFileName(filename)) pending.names.add(filename);
        else return;
        schedule();
      });
      articlesWatcher.on('error', (error) => {
        log(`reload: watching ${displayName(dataDir, ARTICLES_DIR)} failed (${error.message}); relying on the rescan until the folder is back`, 'warn');
        articlesWatcher?.close();
        articlesWatcher = undefined;
        pending.scan = true;
        schedule();
      });
    } catch (error) {
      log(`reload: cannot watch ${displayName(dataDir, ARTICLES_DIR)} (${(error as Error).message}); relying on the rescan`, 'warn');
    }
  };

  const watchData = (): void => {
    try {
      dataWatcher = watch(dataDir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === 'site.json') pending.site = true;
        if (filename === null || filename === ARTICLES_DIR) {
          // The articles folder was created, replaced or removed: watch it afresh and compare everything.
          articlesWatcher?.close();
          articlesWatcher = undefined;
          watchArticles();
          pending.scan = true;
        }
        if (pending.site || pending.scan) schedule();
      });
      dataWatcher.on('error', (error) => log(`reload: watching ${displayName(dataDir)} failed (${error.message}); relying on the rescan`, 'warn'));
    } catch (error) {
      log(`reload: cannot watch ${displayName(dataDir)} (${(error as Error).message}); relying on the rescan`, 'warn');
    }
  };

  return {
    start() {
      if (closed) return;
      if (options.watch) {
        watchData();
        watchArticles();
      }
      if (options.rescanIntervalMs > 0) {
        rescanTimer = setInterval(() => {
          pending.scan = true;
          options.reload();
        }, options.rescanIntervalMs);
        rescanTimer.unref();
      }
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (rescanTimer) clearInterval(rescanTimer);
      articlesWatcher?.close();
      dataWatcher?.close();
    },
  };
}
