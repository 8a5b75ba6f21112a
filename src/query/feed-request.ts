import { DateTime } from 'luxon';
import { formatCursor, parseCursor, type Cursor } from '../model/cursor.js';
import type { FeedQuery } from '../model/feed-query.js';
import { FeedRequestError } from './errors.js';
import { hasImpossibleOffset } from '../load/dates.js';

export const MAX_LIMIT = 100;
const KNOWN_PARAMS = new Set(['limit', 'since', 'before', 'after']);

/** One query parameter, which must appear at most once and be a plain string. */
function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new FeedRequestError(400, `query parameter "${name}" must be given once`);
  return value;
}

/**
 * Reads a feed request's query string into a FeedQuery: `limit` (1..100,
 * default the site's feed size), `since` (an ISO 8601 date-time; only
 * items updated after it), and a page cursor, `before` (older articles) or
 * `after` (newer ones), as written in the feed's paging links. Anything
 * else is a 400 with a message.
 */
export function parseFeedQuery(query: Record<string, unknown>, defaultLimit: number): FeedQuery {
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) throw new FeedRequestError(400, `unknown query parameter ${JSON.stringify(key.slice(0, 40))}; feeds accept "limit", "since", "before" and "after"`);
  }
  const limitText = single(query, 'limit');
  let limit = defaultLimit;
  if (limitText !== undefined) {
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw new FeedRequestError(400, `query parameter "limit" must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText.slice(0, 40))}`);
    }
    limit = Number(limitText);
  }
  const sinceText = single(query, 'since');
  const since = sinceText === undefined ? undefined : sinceText.length <= 64 ? DateTime.fromISO(sinceText, { zone: 'utc' }) : DateTime.invalid('too long');
  if (sinceText !== undefined && hasImpossibleOffset(sinceText)) {
    throw new FeedRequestError(400, `query parameter "since" must have a UTC offset between -14:00 and +14:00, got ${JSON.stringify(sinceText.slice(0, 40))}`);
  }
  if (sinceText !== undefined && !since?.isValid) {
    throw new FeedRequestError(400, `query parameter "since" must be an ISO 8601 date or date-time such as 2024-05-01T00:00:00Z, got ${JSON.stringify(sinceText.slice(0, 40))}`);
  }
  const before = cursorParam(query, 'before');
  const after = cursorParam(query, 'after');
  if (before !== undefined && after !== undefined) throw new FeedRequestError(400, 'query parameters "before" and "after" cannot be combined: a page is either older or newer than a position');
  return {
    limit,
    ...(since === undefined ? {} : { since: since.toJSDate() }),
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  };
}

function cursorParam(query: Record<string, unknown>, name: 'before' | 'after'): Cursor | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const cursor = parseCursor(text);
  if (cursor === undefined) {
    throw new FeedRequestError(400, `query parameter "${name}" must be a page cursor taken from a feed's next/previous link, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return cursor;
}

/**
 * The canonical query string of a FeedQuery ("" when it is the default
 * feed): the cache key of a request and the query of its paging links.
 * Equal queries spelled differently (`limit=50` when 50 is the default,
 * `since` in another zone) give the same string.
 */
export function feedQueryString(query: FeedQuery, defaultLimit: number, page?: { before: Cursor } | { after: Cursor }): string {
  // The common poll: no parameters, no allocation.
  if (page === undefined && query.limit === defaultLimit && query.since === undefined && query.before === undefined && query.after === undefined) return '';
  const params: string[] = [];
  if (query.limit !== defaultLimit) params.push(`limit=${query.limit}`);
  if (query.since !== undefined) params.push(`since=${encodeURIComponent(query.since.toISOString())}`);
  const cursor = page ?? (query.before !== undefined ? { before: query.before } : query.after !== undefined ? { after: query.after } : undefined);
  if (cursor !== undefined) params.push('before' in cursor ? `before=${formatCursor(cursor.before)}` : `after=${formatCursor(cursor.after)}`);
  return params.join('&');
}
