import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecordBody } from '../record-body.js';
import { DuplicateIdError } from '../../load/errors.js';
import { decodeJson, displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import { removeFileDurable, writeFileAtomic } from '../../load/write.js';
import type { Article } from '../../model/types.js';
import { StoreConflictError } from '../errors.js';
import { checkPreconditions, describeChange, recordEtag, recordText, type WriteOptions } from '../versions.js';
import type { FileHistory } from './file-history.js';
import type { Snapshot } from '../snapshot.js';
import type { PutResult } from '../store.js';

export interface FileWritesOptions {
  readonly dataDir: string;
  /** DATA_DIR/articles. */
  readonly articlesDir: string;
  readonly current: () => Snapshot;
  /** Re-reads the named files and swaps in a new snapshot; resolves when it is served. */
  readonly reload: (names: readonly string[]) => Promise<void>;
  readonly history: FileHistory;
  readonly clock: () => Date;
  /** Where a failure to append to the audit trail is reported. */
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

/** The file name inside `articles/` an article was loaded from. */
export function fileNameOf(article: Article): string {
  return article.source.slice(article.source.lastIndexOf('/') + 1);
}

/**
 * The files backend's writes: a record goes to `articles/<id>.json` (or the
 * file the id already lives in), durably and atomically, then through the
 * reloader, so a write resolves after the change is on disk and served.
 * Writes run one at a time, so two requests for one id cannot interleave
 * their precondition check, file choice, history, write and reload.
 */
export function createFileWrites(options: FileWritesOptions) {
  const { history, clock } = options;
  let writing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = writing.then(work);
    writing = result.catch(() => undefined);
    return result;
  };

  /** The served record's text and ETag, read from its file now (a file edited by hand counts as it is on disk). */
  const storedRecord = async (article: Article | undefined): Promise<{ text: string; etag: string } | undefined> => {
    if (!article) return undefined;
    const text = await readFile(join(options.articlesDir, fileNameOf(article)), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const decoded = decodeJson(Buffer.from(text, 'utf8'), article.source);
    return decoded.ok ? { text, etag: recordEtag(decoded.value) } : undefined;
  };

  /** The version before this write: the newest kept one, or what is stored now when history has not seen it. */
  const previousVersion = async (id: string, stored: { text: string; etag: string } | undefined) => {
    const latest = await history.latest(id);
    // Also when the file changed outside the API since the newest kept version (an editor's save, a sync):
    // that state is a version too, and this write must not be the only trace of it.
    if (!stored || latest?.etag === stored.etag) return latest;
    return history.append(id, { at: clock(), keyId: null, action: 'existing', size: Buffer.byteLength(stored.text), summary: describeChange('existing', null, stored.text), etag: stored.etag, record: stored.text });
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
    exclusive(async () => {
      const snapshot = options.current();
      const name = fileFor(snapshot, id);
      const shownAs = displayName(options.dataDir, ARTICLES_DIR, name);
      const parsed = parseRecordBody(id, body, shownAs, snapshot.site.language);
      const { record } = parsed;
      const current = snapshot.byId.get(id);
      const stored = await storedRecord(current);
      checkPreconditions(id, writeOptions, current ? (stored?.etag ?? '') : undefined);
      writeOptions.authorize?.(parsed.article, current);
      const created = !current && !existsSync(join(options.articlesDir, name));
      const text = recordText(record);
      const previous = await previousVersion(id, stored);
      const action = restoredFrom !== undefined ? 'restored' : current ? 'updated' : 'created';
      const etag = recordEtag(record);
      const kept = await history.append(id, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action, size: Buffer.byteLength(text), summary: describeChange(action, previous?.record, text, restoredFrom), etag, record: text });
      await writeFileAtomic(options.articlesDir, name, text);
      await options.reload([name]);
      await audit(id, restoredFrom === undefined ? 'PUT' : 'POST', created ? 201 : 200, action, kept.version, writeOptions.actor);
      const article = options.current().byId.get(id) ?? parsed.article;
      return { article, created, warnings: parsed.warnings, etag, version: kept.version };
    });

  /**
   * Removes every file carrying `id`: the one it is served from and the
   * files refused as its duplicates, which would otherwise become the live
   * version once the first is gone. False when no article has that id (a
   * file merely named `<id>.json` may hold another article, and is not touched).
   * The record is kept in the history first, and a deletion version marks the retraction.
   */
  const remove = (id: string, writeOptions: WriteOptions = {}): Promise<boolean> =>
    exclusive(async () => {
      const snapshot = options.current();
      const current = snapshot.byId.get(id);
      const stored = await storedRecord(current);
      checkPreconditions(id, { ...writeOptions, createOnly: false }, current ? (stored?.etag ?? '') : undefined);
      const names = filesCarrying(snapshot, id);
      if (names.length === 0) return false;
      writeOptions.authorize?.(undefined, current);
      await previousVersion(id, stored);
      const kept = await history.append(id, { at: clock(), keyId: writeOptions.actor?.keyId ?? null, action: 'deleted', size: 0, summary: describeChange('deleted', null, null), etag: null, record: null });
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

  const etag = async (id: string): Promise<string | undefined> => (await storedRecord(options.current().byId.get(id)))?.etag;

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
export function filesCarrying(snapshot: Snapshot, id: string): string[] {
  const served = snapshot.byId.get(id);
  if (!served) return [];
  const twins = snapshot.rejected.filter((e): e is DuplicateIdError => e instanceof DuplicateIdError && e.id === id).map((e) => e.fileName);
  return [fileNameOf(served), ...twins];
}
