import { join } from 'node:path';
import { parseRecordBody } from '../record-body.js';
import { DuplicateIdError } from '../../load/errors.js';
import { displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import { removeFileDurable, writeFileAtomic } from '../../load/write.js';
import type { Article } from '../../model/types.js';
import { StoreConflictError } from '../errors.js';
import { checkPreconditions, describeChange, recordEtag, recordText, type WriteOptions } from '../versions.js';
import { HISTORY_DIR, type FileHistory } from './file-history.js';
import { describeFound, readFound, twinArticle, type FoundFile } from './found-files.js';
import { createWriteLock, WRITE_LOCK_FILE } from './write-lock.js';
import type { Snapshot } from '../snapshot.js';
import type { PutResult } from '../store.js';

export interface FileWritesOptions {
  readonly dataDir: string;
  /** DATA_DIR/articles. */
  readonly articlesDir: string;
  readonly current: () => Snapshot;
  /** Re-reads the named files and swaps in a new snapshot; resolves when it is served. */
  readonly reload: (names: readonly string[]) => Promise<void>;
  /** Reloads those of the named files that changed on disk since they were read (another process wrote them). */
  readonly refresh: (names: readonly string[]) => Promise<void>;
  readonly history: FileHistory;
  readonly clock: () => Date;
  /** Where a failure to append to the audit trail is reported. */
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

/** The file name inside `articles/` an article was loaded from. */
function fileNameOf(article: Article): string {
  return article.source.slice(article.source.lastIndexOf('/') + 1);
}

/**
 * The files backend's writes: a record goes to `articles/<id>.json` (or the
 * file the id already lives in), durably and atomically, then through the
 * reloader, so a write resolves after the change is on disk and served.
 * Writes hold the DATA_DIR's write lock (write-lock.ts), so two requests for
 * one id, in this process or another on the same folder, cannot interleave
 * their precondition check, file choice, history, write and reload. Whatever
 * bytes a write replaces or removes, served or rejected by the loader, are
 * kept as a version first.
 */
export function createFileWrites(options: FileWritesOptions) {
  const { history, clock } = options;
  const lock = createWriteLock({ path: join(options.dataDir, HISTORY_DIR, WRITE_LOCK_FILE), ...(options.log ? { log: options.log } : {}) });

  /**
   * Under the lock, first catch up with the files this write may touch: another process on the
   * same DATA_DIR may have written them a moment ago, before this one's watcher has reloaded.
   */
  const catchUp = async (id: string): Promise<Snapshot> => {
    await options.refresh([...new Set([...filesCarrying(options.current(), id), `${id}.json`])]);
    return options.current();
  };

  /** The version before this write: the newest kept one, or the bytes found on disk when history has not seen them. */
  const keepFound = async (id: string, found: FoundFile | undefined, summary?: string) => {
    const latest = await history.latest(id);
    // Also when the file changed outside the API since the newest kept version (an editor's save, a sync,
    // a save the loader rejects): that state is a version too, and this write must not be the only trace of it.
    if (!found || latest?.etag === found.etag) return latest;
    return history.append(id, { at: clock(), keyId: null, action: 'existing', size: Buffer.byteLength(found.text), summary: summary ?? describeFound(found), etag: found.etag, record: found.text });
  };

  /**
   * The write is on disk and served by now: a failing audit append (a full disk) is reported, not turned
   * into an error answer for a write that happened. Its version, with key and time, is in the history.
   */
  const audit = (id: string, method: string, status: number, outcome: string, version: number, actor: WriteOptions['actor']) =>
    history
      .audit({ at: clock(), keyId: actor?.keyId ?? null, client: actor?.client ?? 'local', method, id, status, outcome, version })
      .catch((error: Error) => options.log?.(`audit: could not record ${method} ${id} (version ${version}): ${error.message}`, 'error'));

  const write = (id: string, body: Uint8Array, writeOptions: WriteOptions, restoredFrom?: number): Promise<PutResult> =>
    lock.run(async () => {
      const snapshot = await catchUp(id);
      const name = fileFor(snapshot, id);
      const shownAs = displayName(options.dataDir, ARTICLES_DIR, name);
      const parsed = parseRecordBody(id, body, shownAs, snapshot.site.language);
      const { record } = parsed;
      const current = snapshot.byId.get(id);
      // What is on disk decides, not what is served: a rejected file (a syntax error, the last good version
      // still served) exists, so If-None-Match: * refuses it and If-Match names its bytes' ETag.
      const found = await readFound(options.articlesDir, name);
      checkPreconditions(id, writeOptions, found?.etag ?? (current ? '' : undefined));
      writeOptions.authorize?.(parsed.article, current);
      const replacing = current !== undefined || found !== undefined;
      const text = recordText(record);
      const previous = await keepFound(id, found);
      const action = restoredFrom !== undefined ? 'restored' : replacing ? 'updated' : 'created';
      const etag = recordEtag(record);
      const kept = await history.append(id, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action, size: Buffer.byteLength(text), summary: describeChange(action, previous?.record, text, restoredFrom), etag, record: text });
      await writeFileAtomic(options.articlesDir, name, text);
      await options.reload([name]);
      await audit(id, restoredFrom === undefined ? 'PUT' : 'POST', replacing ? 200 : 201, action, kept.version, writeOptions.actor);
      const article = options.current().byId.get(id) ?? parsed.article;
      return { article, created: !replacing, warnings: parsed.warnings, etag, version: kept.version };
    });

  /**
   * Removes every file carrying `id`: the one it is served from and the
   * files refused as its duplicates, which would otherwise become the live
   * version once the first is gone. False when no article has that id (a
   * file merely named `<id>.json` may hold another article, and is not touched).
   * The key's scope is checked against every record removed, each file is
   * kept in the history (the duplicates first, then the served record, so
   * the newest version with content is what readers saw), and a deletion
   * version marks the retraction.
   */
  const remove = (id: string, writeOptions: WriteOptions = {}): Promise<boolean> =>
    lock.run(async () => {
      const snapshot = await catchUp(id);
      const current = snapshot.byId.get(id);
      const [servedName, ...twinNames] = filesCarrying(snapshot, id);
      const served = servedName === undefined ? undefined : await readFound(options.articlesDir, servedName);
      checkPreconditions(id, { ...writeOptions, createOnly: false }, current ? (served?.etag ?? '') : undefined);
      if (servedName === undefined) return false;
      writeOptions.authorize?.(undefined, current);
      const twins = (await Promise.all(twinNames.map(async (name) => ({ name, found: await readFound(options.articlesDir, name) })))).flatMap((t) => (t.found ? [{ name: t.name, found: t.found }] : []));
      for (const twin of twins) writeOptions.authorize?.(undefined, twinArticle(id, twin.found, displayName(options.dataDir, ARTICLES_DIR, twin.name), snapshot.site.language));
      for (const twin of twins) await keepFound(id, twin.found, `a duplicate of the served record, from ${twin.name}; removed with it`);
      await keepFound(id, served, twins.length > 0 ? 'the served record as found, removed with its duplicates by this deletion' : undefined);
      const kept = await history.append(id, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action: 'deleted', size: 0, summary: describeChange('deleted', null, null), etag: null, record: null });
      const names = [servedName, ...twinNames];
      for (const name of names) await removeFileDurable(options.articlesDir, name);
      await options.reload(names);
      const still = options.current().byId.get(id);
      // A file written with this id between the removal and the reload would bring it back: say so rather than claim a retraction.
      if (still) throw new StoreConflictError(`Article ${JSON.stringify(id)} is still served, from ${still.source}, which was written meanwhile; delete again.`);
      await audit(id, 'DELETE', 204, 'deleted', kept.version, writeOptions.actor);
      return true;
    });

  const restore = async (id: string, n: number, writeOptions: WriteOptions = {}): Promise<PutResult | undefined> => {
    const version = await history.version(id, n);
    if (!version || version.record === null) return undefined;
    return write(id, Buffer.from(version.record, 'utf8'), writeOptions, n);
  };

  const etag = async (id: string): Promise<string | undefined> => {
    const current = options.current().byId.get(id);
    return current ? (await readFound(options.articlesDir, fileNameOf(current)))?.etag : undefined;
  };

  return { put: (id: string, body: Uint8Array, writeOptions: WriteOptions = {}) => write(id, body, writeOptions), remove, restore, etag };
}

/** The file an id is written to: the one it is served from, else `<id>.json`; a conflict when `<id>.json` holds another article. */
function fileFor(snapshot: Snapshot, id: string): string {
  const existing = snapshot.byId.get(id);
  if (existing) return fileNameOf(existing);
  const name = `${id}.json`;
  const holder = snapshot.articles.find((a) => fileNameOf(a) === name);
  if (holder) throw new StoreConflictError(`The file ${holder.source} holds article ${JSON.stringify(holder.id)}; it cannot also hold ${JSON.stringify(id)}.`);
  return name;
}

/** The files a retraction of `id` removes: the serving file and its rejected duplicates; empty when no article has that id. */
function filesCarrying(snapshot: Snapshot, id: string): string[] {
  const served = snapshot.byId.get(id);
  if (!served) return [];
  const twins = snapshot.rejected.filter((e): e is DuplicateIdError => e instanceof DuplicateIdError && e.id === id).map((e) => e.fileName);
  return [fileNameOf(served), ...twins];
}
