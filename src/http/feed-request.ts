import { DateTime } from 'luxon';
import type { FeedQuery } from '../query/select.js';
import { HttpError } from './errors.js';

export const MAX_LIMIT = 100;
const KNOWN_PARAMS = new Set(['limit', 'since']);

/** One query parameter, which must appear at most once and be a plain string. */
function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `query parameter "${name}" must be given once`);
  return value;
}

/**
 * Reads a feed request's query string into a FeedQuery: `limit` (1..100,
 * default the site's feed size) and `since` (an ISO 8601 date-time; only
 * items updated after it). Anything else is a 400 with a message.
 */
export function parseFeedQuery(query: Record<string, unknown>, defaultLimit: number): FeedQuery {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) throw new HttpError(400, `unknown query parameter ${JSON.stringify(key.slice(0, 40))}; feeds accept "limit" and "since"`);
  }
  const limitText = single(query, 'limit');
  let limit = defaultLimit;
  if (limitText !== undefined) {
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw new HttpError(400, `query parameter "limit" must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText.slice(0, 40))}`);
    }
    limit = Number(limitText);
  }
  const sinceText = single(query, 'since');
  if (sinceText === undefined) return { limit };
  const since = sinceText.length <= 64 ? DateTime.fromISO(sinceText, { zone: 'utc' }) : undefined;
  if (!since?.isValid) throw new HttpError(400, `query parameter "since" must be an ISO 8601 date or date-time such as 2024-05-01T00:00:00Z, got ${JSON.stringify(sinceText.slice(0, 40))}`);
  return { limit, since: since.toJSDate() };
}
