import { partitionPoint } from './partition-point.js';
import type { Article } from './types.js';

/**
 * A position in the newest-first order of a feed: an article's `published`
 * instant and id (the order's tie-breaker). Pages are addressed by cursors,
 * not offsets, so a page does not shift when new articles arrive.
 */
export interface Cursor {
  /** Milliseconds since the Unix epoch. */
  readonly published: number;
  /** An article id, or "" for a position before every article published at that instant. */
  readonly id: string;
}

export function cursorOf(article: Article): Cursor {
  return { published: article.published.getTime(), id: article.id };
}

/**
 * Negative when the article comes before (is newer than) the cursor in feed
 * order, positive when after (older), 0 at the cursor itself. The same
 * order as the snapshot's: newest `published` first, ties by id.
 */
export function compareToCursor(article: Article, cursor: Cursor): number {
  return cursor.published - article.published.getTime() || (article.id < cursor.id ? -1 : article.id > cursor.id ? 1 : 0);
}

/** Index of the first article strictly after (older than) the cursor in a newest-first list. */
export function indexAfter(list: readonly Article[], cursor: Cursor): number {
  return partitionPoint(list.length, (i) => compareToCursor(list[i] as Article, cursor) <= 0);
}

/** Index of the first article at or after the cursor: everything before it is strictly newer. */
export function indexAtOrAfter(list: readonly Article[], cursor: Cursor): number {
  return partitionPoint(list.length, (i) => compareToCursor(list[i] as Article, cursor) < 0);
}

const CURSOR_TEXT = /^(-?\d{1,16})\.([a-z0-9-]{0,200})$/;

/** The URL form of a cursor: base64url of "<ms>.<id>", opaque to clients and safe in a query string. */
export function formatCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.published}.${cursor.id}`, 'utf8').toString('base64url');
}

/** Reads a cursor from its URL form; undefined for anything that is not one we wrote. */
export function parseCursor(text: string): Cursor | undefined {
  if (text.length === 0 || text.length > 300 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const match = CURSOR_TEXT.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const published = Number(match[1]);
  // Dates beyond ±8.64e15 ms are not dates (ECMAScript's limit).
  if (!Number.isSafeInteger(published) || Math.abs(published) > 8.64e15) return undefined;
  const cursor = { published, id: match[2] as string };
  // One spelling per cursor: re-encoding must give back the same text, so junk that decodes loosely is refused.
  return formatCursor(cursor) === text ? cursor : undefined;
}
