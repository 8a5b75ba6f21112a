import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../load/article.js';
import { DuplicateIdError } from '../../load/errors.js';
import { decodeJson, displayName } from '../../load/files.js';
import { ARTICLES_DIR } from '../../load/load-data.js';
import { removeFileDurable, writeFileAtomic } from '../../load/write.js';
import type { Article } from '../../model/types.js';
import { StoreConflictError, StoreRecordError } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import type { PutResult } from '../store.js';

export interface FileWritesOptions {
  readonly dataDir: string;
  /** DATA_DIR/articles. */
  readonly articlesDir: string;
  readonly current: () => Snapshot;
  /** Re-reads the named files and swaps in a new snapshot; resolves when it is served. */
  readonly reload: (names: readonly string[]) => Promise<void>;
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
 * their file choice, write and reload.
 */
export function createFileWrites(options: FileWritesOptions) {
  let writing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = writing.then(work);
    writing = result.catch(() => undefined);
    return result;
  };

  const put = (id: string, body: Uint8Array): Promise<PutResult> =>
    exclusive(async () => {
      const snapshot = options.current();
      const name = fileFor(snapshot, id);
      const shownAs = displayName(options.dataDir, ARTICLES_DIR, name);
      const decoded = decodeJson(body, shownAs);
      if (!decoded.ok) throw new StoreRecordError('The body is not a JSON record.', [decoded.error]);
      const record = decoded.value;
      if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
        const bodyId = (record as Record<string, unknown>).id;
        if (bodyId !== undefined && bodyId !== id) {
          throw new StoreRecordError(`The id in the path (${JSON.stringify(id)}) and in the body (${JSON.stringify(bodyId)}) disagree.`, []);
        }
      }
      const parsed = parseArticle(record, shownAs, { language: snapshot.site.language });
      if (!parsed.article) throw new StoreRecordError(`The record has ${parsed.errors.length} problem(s); nothing was written.`, parsed.errors);
      const created = !snapshot.byId.has(id) && !existsSync(join(options.articlesDir, name));
      await writeFileAtomic(options.articlesDir, name, `${JSON.stringify(record, null, 2)}\n`);
      await options.reload([name]);
      const article = options.current().byId.get(id) ?? parsed.article;
      return { article, created, warnings: parsed.warnings };
    });

  /**
   * Removes every file carrying `id`: the one it is served from and the
   * files refused as its duplicates, which would otherwise become the live
   * version once the first is gone. False when no article has that id (a
   * file merely named `<id>.json` may hold another article, and is not touched).
   */
  const remove = (id: string): Promise<boolean> =>
    exclusive(async () => {
      const names = filesCarrying(options.current(), id);
      if (names.length === 0) return false;
      for (const name of names) await removeFileDurable(options.articlesDir, name);
      await options.reload(names);
      const still = options.current().byId.get(id);
      // A file written with this id between the removal and the reload would bring it back: say so rather than claim a retraction.
      if (still) throw new StoreConflictError(`Article ${JSON.stringify(id)} is still served, from ${still.source}, which was written meanwhile; delete again.`);
      return true;
    });

  return { put, remove };
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
