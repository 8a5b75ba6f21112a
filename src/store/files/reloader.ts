import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Article, Site } from '../../model/types.js';
import { buildSnapshot, createSnapshotHolder, type FileRecord, type SnapshotHolder, type Snapshot } from '../snapshot.js';
import { LAST_GOOD_NOTE, ArticleError } from '../../load/errors.js';
import { displayName, listJsonFiles, MAX_RECORD_BYTES, versionStamp } from '../../load/files.js';
import { ARTICLES_DIR, loadArticleFile } from '../../load/load-data.js';
import { createLoadMemo, type LoadMemo } from '../../load/load-memo.js';
import type { SiteOverrides } from '../../load/site.js';
import { createDataWatcher, type PendingWork } from './data-watcher.js';
import { SiteSettings } from './site-settings.js';
import { removeStaleTempFiles } from '../../load/write.js';
import { fileStamp } from '../../load/file-stamp.js';
import { logToStderr } from '../../model/log-line.js';
import { sameArticle } from '../../model/same-article.js';

/** How the reloader finds changes and how quickly it acts on them. */
export interface ReloaderOptions {
  readonly dataDir: string;
  /** site.json as loaded at start (main.ts fails fast when it is bad). */
  readonly site: Site;
  /** SITE_URL and the fallback base URL, applied again whenever site.json is re-read. */
  readonly siteOverrides: SiteOverrides;
  /** Watch the data folder with fs.watch (default true). Off, only `reload()` calls and the rescan find changes. */
  readonly watch?: boolean;
  /** Quiet time after the last change event before reloading, in ms (default 75): a burst of saves becomes one reload. */
  readonly debounceMs?: number;
  /** Upper bound on the wait after the first event of a burst, in ms (default 300), so a long bulk import still shows progress. */
  readonly maxDelayMs?: number;
  /** Full rescan period in ms; 0 turns it off (default 30 000). Catches events fs.watch lost or never sent (network file systems). */
  readonly rescanIntervalMs?: number;
  readonly maxBytes?: number;
  /** Where progress and problems are reported; `level` defaults to info. */
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Told how long each reload that swapped in a new snapshot took, from its start to the swap (metrics). */
  readonly onReload?: (seconds: number) => void;
  /** Records already loaded (main.ts loads them on several threads); without it the reloader reads every file itself. */
  readonly initial?: readonly FileRecord[];
  /** Whoever listed the folder for `initial` removed stale temp files already (one listing of 100,000 names costs ~0.2 s). */
  readonly staleTempFilesRemoved?: boolean;
  /** What the store's reads reuse (load-memo.ts), shared with its first load; default: the reloader's own. */
  readonly memo?: LoadMemo;
}

/** Keeps the store in step with DATA_DIR. */
export interface Reloader {
  /** The store, holding the snapshot built from the initial load and replaced on every reload. */
  readonly store: SnapshotHolder;
  /** Starts the watchers and the rescan timer. */
  start(): void;
  /**
   * Re-reads the named article files now (no debounce) and swaps in a new
   * snapshot; without names, rescans everything that changed. Resolves once
   * the result is what `store.current()` serves.
   */
  reload(names?: readonly string[]): Promise<void>;
  /**
   * Reloads those of the named files that differ on disk from what is
   * served (created, changed or removed since): what a writer sharing
   * DATA_DIR with another process changed. Cheap when nothing did: a stat each.
   */
  refresh(names: readonly string[]): Promise<void>;
  /** Article files parsed since creation: what "re-read only what changed" is measured by. */
  filesRead(): number;
  /** The current record of every article file (what the persisted index is written from). */
  records(): readonly FileRecord[];
  /** Stops watching; resolves when a reload in progress has finished. */
  close(): Promise<void>;
}

/** What the reloader knows of one article file. */
interface Entry {
  /** inode, size, mtime and ctime: any write or rename changes it. */
  readonly stamp: string;
  /** What goes into the snapshot: the current version, or the last good article with the current errors. */
  readonly record: FileRecord;
  /** The last version that parsed, kept while the file is invalid. */
  readonly good?: Article;
}

/** Files parsed between two yields to the event loop, so requests keep being served during a bulk reload. */
const BATCH = 100;

/** Same rule as `listJsonFiles`: `*.json`, not hidden (editor and ingest temp files start with a dot). */
export function isRecordFileName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.') && !name.includes('/') && !name.includes('\\');
}

/** Same article as any feed shows it (see sameArticle) and the same reports. */
function sameRecord(a: FileRecord, b: FileRecord): boolean {
  const messages = (r: FileRecord) => JSON.stringify([r.errors.map((e) => e.message), r.warnings.map((e) => e.message)]);
  const articles = a.article === undefined || b.article === undefined ? a.article === b.article : sameArticle(a.article, b.article);
  return articles && messages(a) === messages(b);
}

const stampOf = fileStamp;

/**
 * Loads every article file once and keeps the feeds in step with the data
 * folder afterwards. Each reload re-reads only the files that changed (the
 * others keep their FileRecord and their Article object, so rendered
 * fragments stay cached), builds a new immutable snapshot and swaps it in
 * one step. A file that becomes invalid keeps its last good version in the
 * feeds and is reported; a bad site.json keeps the previous site.
 */
export function createReloader(options: ReloaderOptions): Reloader {
  const { dataDir } = options;
  const articlesDir = join(dataDir, ARTICLES_DIR);
  const maxBytes = options.maxBytes ?? MAX_RECORD_BYTES;
  const log = options.log ?? logToStderr;
  const onReload = options.onReload ?? (() => undefined);
  const settings = new SiteSettings(dataDir, options.siteOverrides, options.site, log);
  const entries = new Map<string, Entry>();
  const memo = options.memo ?? createLoadMemo();
  let reads = 0;
  let reparseAll = false;

  const readEntry = (name: string, previous: Entry | undefined): Entry | undefined => {
    const stamp = stampOf(join(articlesDir, name));
    if (stamp === undefined) return undefined;
    reads += 1;
    const fresh = loadArticleFile(dataDir, name, settings.site, maxBytes, memo);
    if (fresh.article) return { stamp, record: fresh, good: fresh.article };
    const good = previous?.good;
    if (!good) return { stamp, record: fresh };
    const errors = fresh.errors.map((e) => new ArticleError(e.file, e.field, `${e.problem} (${LAST_GOOD_NOTE})`));
    return { stamp, record: { ...fresh, article: good, errors }, good };
  };

  const compose = (version: number): Snapshot => {
    const snapshot = buildSnapshot(settings.site, [...entries.values()].map((e) => e.record), version);
    return settings.problems.length === 0 ? snapshot : { ...snapshot, rejected: [...settings.problems, ...snapshot.rejected] };
  };

  const stale = options.staleTempFilesRemoved === true ? 0 : removeStaleTempFiles(articlesDir);
  if (stale > 0) log(`reload: removed ${stale} temp file(s) left by interrupted writes`);
  if (options.initial) {
    for (const record of options.initial) {
      // The version the loader read is the stamp: no second stat of 100,000 files.
      const stamp = record.version ? versionStamp(record.version) : stampOf(join(articlesDir, record.name));
      if (stamp !== undefined) entries.set(record.name, { stamp, record, ...(record.article ? { good: record.article } : {}) });
    }
  } else {
    for (const name of listJsonFiles(articlesDir)) {
      const entry = readEntry(name, undefined);
      if (entry) entries.set(name, entry);
    }
  }
  const store = createSnapshotHolder(compose(1));

  // Work waiting for the next reload: what watchers, the rescan and reload() asked for.
  const pending: PendingWork = { names: new Set<string>(), scan: false, site: false };

  /** The files to read again, with the count of entries dropped for files that are gone; undefined when the folder cannot be listed. */
  const findTargets = (names: readonly string[], scan: boolean): { targets: string[]; removed: number } | undefined => {
    if (!scan && !reparseAll) return { targets: names.filter(isRecordFileName), removed: 0 };
    let listed: string[];
    try {
      listed = listJsonFiles(articlesDir);
    } catch (error) {
      log(`reload: cannot list ${displayName(dataDir, ARTICLES_DIR)}: ${(error as Error).message}`, 'error');
      return undefined;
    }
    const present = new Set(listed);
    let removed = 0;
    for (const name of [...entries.keys()]) {
      if (!present.has(name)) {
        entries.delete(name);
        removed += 1;
      }
    }
    const all = reparseAll;
    const named = new Set(names);
    reparseAll = false;
    return { targets: listed.filter((name) => all || named.has(name) || entries.get(name)?.stamp !== stampOf(join(articlesDir, name))), removed };
  };

  /** Reads the target files again into `entries`; returns how many changed and how many vanished. */
  const readTargets = async (targets: readonly string[]): Promise<{ read: number; removed: number }> => {
    let read = 0;
    let removed = 0;
    for (let i = 0; i < targets.length; i += 1) {
      if (i > 0 && i % BATCH === 0) await yieldToEventLoop();
      const name = targets[i] as string;
      const previous = entries.get(name);
      const next = readEntry(name, previous);
      if (!next) {
        if (previous) {
          entries.delete(name);
          removed += 1;
        }
        continue;
      }
      // A save that changed nothing (or a second event for one save) keeps the old Article object and makes no new snapshot.
      if (previous && sameRecord(previous.record, next.record)) {
        entries.set(name, { ...previous, stamp: next.stamp });
        continue;
      }
      entries.set(name, next);
      read += 1;
      for (const error of next.record.errors) log(`rejected: ${error.message}`, 'warn');
      if (previous && previous.record.errors.length > 0 && next.record.errors.length === 0) log(`reload: ${next.record.shownAs} is valid again`);
    }
    return { read, removed };
  };

  const runPending = async (): Promise<void> => {
    const started = performance.now();
    const names = [...pending.names];
    const scan = pending.scan;
    const checkSite = pending.site || scan;
    pending.names.clear();
    pending.scan = false;
    pending.site = false;

    const site = checkSite ? settings.refresh() : { changed: false, reparse: false };
    if (site.reparse) reparseAll = true;
    const found = findTargets(names, scan);
    if (found === undefined) return;
    const { read, removed } = await readTargets(found.targets);
    if (read === 0 && removed + found.removed === 0 && !site.changed) return;
    const snapshot = compose(store.current().version + 1);
    store.replace(snapshot);
    onReload((performance.now() - started) / 1000);
    log(`reload: ${read} file(s) changed, ${removed + found.removed} removed → version ${snapshot.version}: ${snapshot.articles.length} articles, ${snapshot.rejected.length} rejected`);
  };

  // Reloads run one at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (): Promise<void> => {
    const job = queue.then(runPending);
    queue = job.catch((error: unknown) => log(`reload failed: ${(error as Error).stack ?? String(error)}`, 'error'));
    return job;
  };

  const watcher = createDataWatcher({
    dataDir,
    watch: options.watch ?? true,
    debounceMs: options.debounceMs ?? 75,
    maxDelayMs: options.maxDelayMs ?? 300,
    rescanIntervalMs: options.rescanIntervalMs ?? 30_000,
    pending,
    isRecordFileName,
    reload: () => void enqueue().catch(() => undefined),
    log,
  });

  return {
    store,
    start: () => watcher.start(),
    reload(names) {
      if (names === undefined || names.length === 0) pending.scan = true;
      else for (const name of names) pending.names.add(name);
      return enqueue();
    },
    refresh(names) {
      const changed = names.filter((name) => isRecordFileName(name) && entries.get(name)?.stamp !== stampOf(join(articlesDir, name)));
      if (changed.length === 0) return queue;
      for (const name of changed) pending.names.add(name);
      return enqueue();
    },
    filesRead: () => reads,
    records: () => [...entries.values()].map((entry) => entry.record),
    async close() {
      watcher.close();
      await queue;
    },
  };
}
