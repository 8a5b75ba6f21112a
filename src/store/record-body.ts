import { parseArticle } from '../load/article.js';
import type { ArticleError } from '../load/errors.js';
import { decodeJson } from '../load/files.js';
import type { Article } from '../model/types.js';
import { StoreRecordError } from './errors.js';

/** A record sent for article `id`, decoded and validated: the article, the loader's warnings, and the record as sent. */
export interface RecordBody {
  readonly article: Article;
  readonly warnings: readonly ArticleError[];
  readonly record: unknown;
}

/**
 * The validation every backend applies to a written record, message for
 * message: the bytes decoded as the loader decodes a file (named `shownAs`
 * in every problem), the path's id checked against the body's, the record
 * parsed with the site's language as default. Throws StoreRecordError
 * listing every problem; nothing is written.
 */
export function parseRecordBody(id: string, body: Uint8Array, shownAs: string, language: string): RecordBody {
  const decoded = decodeJson(body, shownAs);
  if (!decoded.ok) throw new StoreRecordError('The body is not a JSON record.', [decoded.error]);
  const record = decoded.value;
  if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
    const bodyId = (record as Record<string, unknown>).id;
    if (bodyId !== undefined && bodyId !== id) {
      throw new StoreRecordError(`The id in the path (${JSON.stringify(id)}) and in the body (${JSON.stringify(bodyId)}) disagree.`, []);
    }
  }
  const parsed = parseArticle(record, shownAs, { language });
  if (!parsed.article) throw new StoreRecordError(`The record has ${parsed.errors.length} problem(s); nothing was written.`, parsed.errors);
  return { article: parsed.article, warnings: parsed.warnings, record };
}
