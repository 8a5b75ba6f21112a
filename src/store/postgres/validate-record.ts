import { ID_PATTERN } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import type { Site } from '../../model/types.js';
import { StoreRecordError } from '../errors.js';
import { parseRecordBody } from '../record-body.js';
import type { PutResult } from '../store.js';
import { unstorableProblems } from './rows.js';

/**
 * The validation both backends apply (record-body.ts; the body sanitised
 * now, once), plus the id's shape and what PostgreSQL could not store,
 * refused before any SQL runs.
 */
export function validateRecord(id: string, body: Uint8Array, shownAs: string, site: Site): PutResult & { readonly record: unknown } {
  if (!ID_PATTERN.test(id) || id.length > 200) {
    throw new StoreRecordError(`An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`, [new ArticleError(shownAs, 'id', 'must be lowercase letters, digits and single "-" between them')]);
  }
  const parsed = parseRecordBody(id, body, shownAs, site.language);
  const problems = unstorableProblems(parsed.record, parsed.article, shownAs);
  if (problems.length > 0) throw new StoreRecordError(`The record has ${problems.length} problem(s); nothing was written.`, problems);
  return { article: parsed.article, created: false, warnings: parsed.warnings, record: parsed.record };
}
