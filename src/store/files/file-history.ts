import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileExclusive } from '../../load/write.js';
import type { ArticleVersion, ArticleVersionRecord, StoreHistory } from '../versions.js';
import { appendAuditLine, readAuditSince } from './audit-trail.js';

/**
 * The history folder beside `articles/`: DATA_DIR/history/<id>/<n>.json,
 * one file per version (its facts and the record text), and the audit trail
 * DATA_DIR/history/audit.jsonl. The loader lists only `articles/`, the
 * reloader watches only `articles/` and site.json, and export renders the
 * snapshot: nothing here is ever served.
 */
export const HISTORY_DIR = 'history';
const AUDIT_FILE = 'audit.jsonl';

export interface FileHistoryOptions {
  readonly dataDir: string;
  /** HISTORY_KEEP: versions kept per article, newest first; undefined keeps all. */
  readonly keep?: number;
}

export interface FileHistory extends StoreHistory {
  /** Writes the next version of `id` (its number is the last one's plus one); returns it. */
  append(id: string, version: Omit<ArticleVersionRecord, 'version'>): Promise<ArticleVersionRecord>;
  /** The newest kept version of `id`. */
  latest(id: string): Promise<ArticleVersionRecord | undefined>;
}

interface StoredVersion extends Omit<ArticleVersionRecord, 'at'> {
  readonly at: string;
}

export function createFileHistory(options: FileHistoryOptions): FileHistory {
  const root = join(options.dataDir, HISTORY_DIR);
  const folderOf = (id: string): string => join(root, id);

  const numbers = async (id: string): Promise<number[]> => {
    let names: string[];
    try {
      names = await readdir(folderOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.flatMap((name) => (/^\d+\.json$/.test(name) ? [Number(name.slice(0, -5))] : [])).sort((a, b) => a - b);
  };

  const read = async (id: string, n: number): Promise<ArticleVersionRecord | undefined> => {
    let text: string;
    try {
      text = await readFile(join(folderOf(id), `${n}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const stored = JSON.parse(text) as StoredVersion;
    return { ...stored, at: new Date(stored.at) };
  };

  const withoutRecord = ({ record: _record, ...facts }: ArticleVersionRecord): ArticleVersion => facts;

  /**
   * HISTORY_KEEP: drops all but the newest `keep` versions, and never the
   * newest one holding a record. After a DELETE with HISTORY_KEEP=1 the
   * newest version is the deletion, and the record it retracted would
   * otherwise be gone with no way to restore it.
   */
  const prune = async (id: string, all: readonly number[], newest: ArticleVersionRecord): Promise<void> => {
    const keep = options.keep ?? all.length;
    const dropped = all.slice(0, Math.max(0, all.length - keep));
    if (dropped.length === 0) return;
    let content: number | undefined = newest.record !== null ? newest.version : undefined;
    for (let i = all.length - 2; content === undefined && i >= 0; i -= 1) {
      const n = all[i] as number;
      const record = (await read(id, n))?.record;
      if (record !== undefined && record !== null) content = n;
    }
    for (const old of dropped) if (old !== content) await unlink(join(folderOf(id), `${old}.json`)).catch(() => undefined);
  };

  return {
    async versions(id) {
      const found = await Promise.all((await numbers(id)).map((n) => read(id, n)));
      return found.flatMap((v) => (v ? [withoutRecord(v)] : []));
    },
    version: read,
    async latest(id) {
      const all = await numbers(id);
      const last = all[all.length - 1];
      return last === undefined ? undefined : read(id, last);
    },
    async append(id, facts) {
      for (let attempt = 0; ; attempt += 1) {
        const all = await numbers(id);
        const version: ArticleVersionRecord = { ...facts, version: (all[all.length - 1] ?? 0) + 1 };
        // Written durably before the article file changes: a crash between the two leaves a version that was
        // never served, never a served version that is not kept. Created exclusively: the write lock makes
        // "last + 1" exact, and should a second writer get past it, its version takes the next free number
        // instead of replacing this one.
        try {
          await writeFileExclusive(folderOf(id), `${version.version}.json`, `${JSON.stringify({ ...version, at: version.at.toISOString() })}\n`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
          throw error;
        }
        if (options.keep !== undefined) await prune(id, [...all, version.version], version);
        return version;
      }
    },
    audit: (entry) => appendAuditLine(join(root, AUDIT_FILE), entry),
    auditSince: (since, limit) => readAuditSince(join(root, AUDIT_FILE), since, limit),
  };
}
