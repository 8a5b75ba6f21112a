import type { Article } from '../model/types.js';

/** Which articles a feed shows and how many. */
export interface FeedQuery {
  readonly limit: number;
  /** Only articles updated strictly after this instant. */
  readonly since?: Date;
}

/** Published (not draft) and not embargoed at `now`. */
export function isVisible(article: Article, now: Date): boolean {
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
