import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJson } from '../../load/files.js';
import type { Article } from '../../model/types.js';
import { StoreConflictError, StoreRecordError } from '../errors.js';
import { parseRecordBody } from '../record-body.js';
import { describeChange, etagOfJson, recordEtag } from '../versions.js';

/**
 * An article file as it is on disk now, whatever the loader made of it:
 * what a write over it or a DELETE of it keeps as a version first.
 */
export interface FoundFile {
  /** The file's text, as saved (kept byte for byte when it is UTF-8). */
  readonly text: string;
  /**
   * Its ETag: the record's (versions.ts recordEtag) when the text is JSON,
   * so a file that loads has the ETag GET gives; else a hash of the text, so
   * If-Match can still name a file the loader rejects.
   */
  readonly etag: string;
  /** Why the text is not JSON, when it is not. */
  readonly unreadable?: string;
}

/** `dir/name` as found now; undefined when there is no such file. */
export async function readFound(dir: string, name: string): Promise<FoundFile | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const text = bytes.toString('utf8');
  const decoded = decodeJson(bytes, name);
  return decoded.ok ? { text, etag: recordEtag(decoded.value) } : { text, etag: etagOfJson(text), unreadable: decoded.error.problem };
}

/** The summary of an `existing` version made from a file found on disk. */
export function describeFound(found: FoundFile): string {
  if (found.unreadable === undefined) return describeChange('existing', null, found.text);
  return `as found stored, never served: it ${found.unreadable}`;
}

/**
 * The article a duplicate file holds, for the key's scope check before a
 * DELETE removes it. The loader refused it only for its id; if it no longer
 * reads as a record of `id` it changed since, and the DELETE is refused.
 */
export function twinArticle(id: string, found: FoundFile, shownAs: string, language: string): Article {
  try {
    return parseRecordBody(id, Buffer.from(found.text, 'utf8'), shownAs, language).article;
  } catch (error) {
    if (!(error instanceof StoreRecordError)) throw error;
    throw new StoreConflictError(`${shownAs}, a duplicate of ${JSON.stringify(id)}, changed while it was being deleted (${error.message}); nothing was removed, delete again.`);
  }
}
