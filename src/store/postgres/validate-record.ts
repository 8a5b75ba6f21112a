import { ID_PATTERN } from '../../load/article.js';
import { ArticleError } from '../../load/errors.js';
import type { Site } from '../../model/types.js';
import { StoreRecordError } from '../errors.js';
import { parseRecordBody } from '../record-body.js';
import type { PutResult } from '../store.js';

/**
 * The validation both backends apply (record-body.ts; the body sanitised
 * now, once), plus the id's shape, refused before any SQL runs. The record
 * is in its canonical form (load/canonical-record.ts): nothing PostgreSQL
 * cannot store is left in it, so it is refused for nothing the files backend
 * accepts.
 */
export function validateRecord(id: string, body: Uint8Array, shownAs: string, site: Site): PutResult & { readonly record: unknown } {
  if (!ID_PATTERN.test(id) || id.length > 200) {
    throw new StoreRecordError(`An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`, [new ArticleError(shownAs, 'id', 'must be lowercase letters, digits and single "-" between them')]);
  }
  const parsed = parseRecordBody(id, body, shownAs, site.language);
  return { article: parsed.article, created: false, warnings: parsed.warnings, record: parsed.record };
}
