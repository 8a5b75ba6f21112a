import { partitionPoint } from './partition-point.js';
import type { Article } from './types.js';
import { cursorOf, indexAfter, indexAtOrAfter, type Cursor } from './cursor.js';

/** Which articles a feed shows and how many. */
export interface FeedQuery {
  readonly limit: number;
  /** Only articles updated strictly after this instant. */
  readonly since?: Date;
  /** A page: the `limit` articles just after (older than) this position. */
  readonly before?: Cursor;
  /** A page: the `limit` articles just before (newer than) this position. Not with `before`. */
  readonly after?: Cursor;
}

/** Addresses the oldest page (`after` it: the oldest `limit` articles); fixed, so the `last` link never changes. */
export const START_OF_TIME: Cursor = { published: -8.64e15, id: '' };

/** One page of a feed, and where its neighbours are (RFC 5005). */
export interface Page {
  readonly articles: readonly Article[];
  /** `before` cursor of the next (older) page, when there is one. */
  readonly next?: Cursor;
  /** `after` cursor of the previous (newer) page, when this is not the newest. */
  readonly previous?: Cursor;
  /** `after` cursor of the oldest page, when this is not it. */
  readonly last?: Cursor;
}

/** Published (not draft) and not embargoed at `now`. */
export function isVisible(article: Pick<Article, 'status' | 'published'>, now: Date): boolean {
  return article.status === 'published' && article.published.getTime() <= now.getTime();
}

/**
 * The articles a feed shows at `now`, from a newest-first list: drafts and
 * embargoed articles left out, `since` applied, at most `limit`.
 */
export function selectArticles(articles: readonly Article[], query: FeedQuery, now: Date): Article[] {
  const selected: Article[] = [];
  const since = query.since?.getTime();
  for (const article of articles) {
    if (selected.length >= query.limit) break;
    if (!isVisible(article, now)) continue;
    if (since !== undefined && article.updated.getTime() <= since) continue;
    selected.push(article);
  }
  return selected;
}

/** The next instant after `now` at which an embargoed article becomes visible, if any. */
export function nextEmbargoRelease(articles: readonly Article[], now: Date): Date | undefined {
  let next: number | undefined;
  for (const article of articles) {
    const at = article.published.getTime();
    if (article.status === 'published' && at > now.getTime() && (next === undefined || at < next)) next = at;
  }
  return next === undefined ? undefined : new Date(next);
}

/** The newest change among articles: the feed's `updated`; the Unix epoch for an empty list, so it never depends on the clock. */
export function newestChange(articles: readonly Article[]): Date {
  let newest = 0;
  for (const article of articles) newest = Math.max(newest, article.updated.getTime());
  return new Date(newest);
}

/**
 * One page of a feed at `now`, from a published-only, newest-first list
 * (a FeedIndex list): `query.before`/`query.after` choose the page, `since`
 * filters, `limit` sizes it. The result says which neighbouring pages
 * exist, with their cursors.
 */
export function selectPage(list: readonly Article[], query: FeedQuery, now: Date): Page {
  const from = visibleFrom(list, now);
  const since = query.since?.getTime();
  const matches = (i: number): boolean => since === undefined || (list[i] as Article).updated.getTime() > since;
  const articles: Article[] = [];
  // [lo, hi): the positions this page covers.
  let lo: number;
  let hi: number;
  if (query.after !== undefined) {
    const end = Math.max(from, indexAtOrAfter(list, query.after));
    let i = end - 1;
    for (; i >= from && articles.length < query.limit; i--) if (matches(i)) articles.push(list[i] as Article);
    articles.reverse();
    lo = i + 1;
    hi = end;
  } else {
    const start = query.before === undefined ? from : Math.max(from, indexAfter(list, query.before));
    let i = start;
    for (; i < list.length && articles.length < query.limit; i++) if (matches(i)) articles.push(list[i] as Article);
    lo = start;
    hi = i;
  }
  let hasNext = false;
  for (let i = hi; i < list.length && !hasNext; i++) hasNext = matches(i);
  let hasPrevious = false;
  for (let i = lo - 1; i >= from && !hasPrevious; i--) hasPrevious = matches(i);
  const first = articles[0];
  const last = articles[articles.length - 1];
  const here = query.before ?? query.after ?? START_OF_TIME;
  return {
    articles,
    ...(hasNext ? { next: last === undefined ? here : cursorOf(last), last: START_OF_TIME } : {}),
    ...(hasPrevious ? { previous: first === undefined ? here : cursorOf(first) } : {}),
  };
}

/**
 * Position of the first article visible at `now` in a published-only,
 * newest-first list: everything from there on is visible, everything
 * before it is embargoed. Binary search, so O(log n).
 */
export function visibleFrom(list: readonly Article[], now: Date): number {
  const t = now.getTime();
  return partitionPoint(list.length, (i) => (list[i] as Article).published.getTime() > t);
}

/** A resolved page of one feed: its articles, its neighbours, and the filter's display name. */
export interface PageOfFeed extends Page {
  /** The filter's display name: the newest visible article's spelling ("All stories" for the main feed). */
  readonly name: string;
}
