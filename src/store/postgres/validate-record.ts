import { ID_PATTERN, parseArticle } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import { decodeJson } from '../../load/files.js';
import type { Site } from '../../model/types.js';
import { StoreRecordError } from '../errors.js';
import type { PutResult } from '../store.js';
import { unstorableProblems } from './rows.js';

/**
 * The files backend's validation, message for message: the bytes decoded
 * as the loader decodes a file, the path's id checked against the body's,
 * the record parsed (body sanitised now, once), and what PostgreSQL could
 * not store refused before any SQL runs.
 */
export function validateRecord(id: string, body: Uint8Array, shownAs: string, site: Site): PutResult & { readonly record: unknown } {
  if (!ID_PATTERN.test(id) || id.length > 200) {
    throw new StoreRecordError(`An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`, [new ArticleError(shownAs, 'id', 'must be lowercase letters, digits and single "-" between them')]);
  }
  const decoded = decodeJson(body, shownAs);
  if (!decoded.ok) throw new StoreRecordError('The body is not a JSON record.', [decoded.error]);
  const record = decoded.value;
  if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
    const bodyId = (record as Record<string, unknown>).id;
    if (bodyId !== undefined && bodyId !== id) {
      throw new StoreRecordError(`The id in the path (${JSON.stringify(id)}) and in the body (${JSON.stringify(bodyId)}) disagree.`, []);
    }
  }
  const parsed = parseArticle(record, shownAs, { language: site.language });
  const problems = parsed.article === undefined ? parsed.errors : unstorableProblems(record, parsed.article, shownAs);
  if (parsed.article === undefined || problems.length > 0) throw new StoreRecordError(`The record has ${problems.length} problem(s); nothing was written.`, problems);
  return { article: parsed.article, created: false, warnings: parsed.warnings, record };
}
