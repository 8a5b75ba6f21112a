import type { Article } from '../../model/types.js';
import { visibleFrom } from '../../model/feed-query.js';
import { FILTER_KINDS, namesOf, type FeedFilter, type FilterKind } from '../../model/feed-filter.js';

/**
 * Per-snapshot lookup tables: every feed's candidate articles, newest
 * first, so that serving a tag feed over 100,000 articles is a map lookup
 * and a binary search instead of a filter and a sort.
 *
 * Lists hold only articles with status `published` (drafts never appear in
 * any feed), embargoed ones included: because a list is ordered by
 * `published`, newest first, the articles visible at an instant are always
 * a suffix of it, found by binary search (see `visibleFrom`).
 */
export interface FeedIndex {
  /** Every published-status article, newest first: the main feed. */
  readonly all: readonly Article[];
  /** Per kind, per slug: the articles filed there, newest first. */
  readonly byKind: { readonly [K in FilterKind]: ReadonlyMap<string, readonly Article[]> };
}

/**
 * Indexes are memoized by the articles array: a snapshot's list is
 * immutable, so its index is computed once, on first use, and collected
 * with the snapshot.
 */
const indexes = new WeakMap<readonly Article[], FeedIndex>();

/** The index of a newest-first article list (a snapshot's `articles`), built on first use. */
export function indexArticles(articles: readonly Article[]): FeedIndex {
  let index = indexes.get(articles);
  if (!index) {
    index = buildIndex(articles);
    indexes.set(articles, index);
  }
  return index;
}

function buildIndex(articles: readonly Article[]): FeedIndex {
  const all = articles.filter((article) => article.status === 'published');
  // Each kind's table is built the first time a feed of that kind is asked for: after a reload, the
  // main feed needs none of them, and a tag feed only the tags'.
  const built: { [K in FilterKind]?: Map<string, Article[]> } = {};
  const table = (kind: FilterKind): Map<string, Article[]> => {
    let map = built[kind];
    if (map === undefined) {
      map = new Map();
      for (const article of all) {
        for (const [slug] of namesOf(article, kind)) {
          if (slug === '') continue;
          const list = map.get(slug);
          if (list === undefined) map.set(slug, [article]);
          // One person credited twice (reporter and photographer) lists the article once.
          else if (list[list.length - 1] !== article) list.push(article);
        }
      }
      built[kind] = map;
    }
    return map;
  };
  const byKind = {} as { [K in FilterKind]: ReadonlyMap<string, readonly Article[]> };
  for (const kind of FILTER_KINDS) Object.defineProperty(byKind, kind, { enumerable: true, get: () => table(kind) });
  return { all, byKind };
}

/** The candidate articles of a feed (the main one when `filter` is undefined); undefined for a slug nobody is filed under. */
export function feedArticles(index: FeedIndex, filter: FeedFilter | undefined): readonly Article[] | undefined {
  return filter === undefined ? index.all : index.byKind[filter.kind].get(filter.slug);
}


/** The next embargo release after `now`: O(1) with the index (the article just before the visible suffix). */
export function nextRelease(index: FeedIndex, now: Date): Date | undefined {
  const from = visibleFrom(index.all, now);
  return from === 0 ? undefined : (index.all[from - 1] as Article).published;
}
