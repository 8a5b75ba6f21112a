import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../load/article.js';
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

/** A rejected twin can take over once the served file is gone; more than this many files for one id is not a newsroom's data. */
const MAX_TWINS = 100;

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
   * Removes the file serving `id`; when a rejected twin (a second file with
   * the same id) then takes its place, that file goes too, so a retraction
   * leaves no article with that id in any feed.
   */
  const remove = (id: string): Promise<boolean> =>
    exclusive(async () => {
      let removed = false;
      for (let round = 0; round < MAX_TWINS; round++) {
        const existing = options.current().byId.get(id);
        if (existing === undefined) return removed;
        const name = fileNameOf(existing);
        if (!(await removeFileDurable(options.articlesDir, name))) {
          throw new StoreConflictError(`${existing.source} holds article ${JSON.stringify(id)} but could not be removed; reload pending.`);
        }
        removed = true;
        await options.reload([name]);
      }
      throw new StoreConflictError(`More than ${MAX_TWINS} files hold article ${JSON.stringify(id)}; remove them by hand.`);
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
