import type { ImageRights } from '../model/types.js';
import { describe, readLine } from './fields.js';
import { stripMarkup } from './text.js';

const RIGHTS_FIELDS = ['syndicate', 'terms'];

/**
 * An image's `rights` (`{ "syndicate": true | false, "terms": "text" }`),
 * read like the other image fields: every problem reported against
 * `images[i].rights…`, undefined when absent or empty.
 */
export function readImageRights(value: unknown, at: string, report: (field: string, problem: string) => void): ImageRights | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(at, `must be an object such as {"syndicate": false, "terms": "…"}, got ${describe(value)}`);
    return undefined;
  }
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!RIGHTS_FIELDS.includes(key)) report(`${at}.${key}`, `is not a rights field (${RIGHTS_FIELDS.join(', ')})`);
  let syndicate: boolean | undefined;
  if (entry.syndicate !== undefined) {
    if (typeof entry.syndicate === 'boolean') syndicate = entry.syndicate;
    else report(`${at}.syndicate`, `must be true or false, got ${describe(entry.syndicate)}`);
  }
  const line = readLine(entry.terms, `${at}.terms`, false, 2000, report);
  const terms = line === undefined ? undefined : stripMarkup(line) || undefined;
  if (syndicate === undefined && terms === undefined) return undefined;
  return { ...(syndicate === undefined ? {} : { syndicate }), ...(terms === undefined ? {} : { terms }) };
}
