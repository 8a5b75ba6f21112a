import type { Article } from '../../model/types.js';
import { slugify } from '../../model/slug.js';
import { visibleFrom, selectPage, type FeedQuery, type PageOfFeed } from '../../model/feed-query.js';
import { FILTER_KINDS, slugsOf, type FeedFilter, type FilterKind, namesOf } from '../../model/feed-filter.js';

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
  /**
   * Builds every per-kind table now, a slice at a time with a turn of the
   * event loop (`yieldNow`) between slices, so that the first request for a
   * tag, language, section or author feed finds its table ready (at 100,000
   * articles, building the tag table on a request took 100–200 ms). A
   * request that needs a table before the build reaches it builds it then,
   * as before; the background build then keeps that one.
   */
  buildAllTables(yieldNow: () => Promise<void>): Promise<void>;
}

/**
 * slugsOf, with slugify remembered per name for one table build: 100,000
 * articles carry a few hundred distinct tags and sections, and slugifying
 * each occurrence again took a third of the build.
 */
function slugsFor(article: Article, kind: FilterKind, known: Map<string, string>): readonly string[] {
  const slug = (name: string): string => {
    let s = known.get(name);
    if (s === undefined) known.set(name, (s = slugify(name)));
    return s;
  };
  if (kind === 'tag') return article.tags.map(slug);
  if (kind === 'section') return article.section === undefined ? [] : [slug(article.section)];
  return slugsOf(article, kind);
}

/** Adds `articles` (newest first, after any already added) to a kind's table. */
function addToTable(map: Map<string, Article[]>, articles: readonly Article[], kind: FilterKind, known = new Map<string, string>()): void {
  for (const article of articles) {
    for (const slug of slugsFor(article, kind, known)) {
      if (slug === '') continue;
      const list = map.get(slug);
      if (list === undefined) map.set(slug, [article]);
      // One person credited twice (reporter and photographer) lists the article once.
      else if (list[list.length - 1] !== article) list.push(article);
    }
  }
}

/** Articles added to a table between two turns of the event loop while building in the background (a few ms: a request waits at most that). */
const BACKGROUND_SLICE = 1000;

/**
 * The index of a newest-first article list (a snapshot's `articles`): the
 * main list now, each kind's table on first use or in the background
 * (buildAllTables), whichever comes first. Held by the snapshot it indexes
 * (buildSnapshot makes it), so it is built once per snapshot and collected
 * with it; never shared between stores.
 */
export function createFeedIndex(articles: readonly Article[]): FeedIndex {
  const all = articles.filter((article) => article.status === 'published');
  // A kind's table is built the first time a feed of that kind is asked for, unless the background
  // build (buildAllTables, started by the files store after each new snapshot) got there first.
  const built: { [K in FilterKind]?: Map<string, Article[]> } = {};
  const table = (kind: FilterKind): Map<string, Article[]> => {
    let map = built[kind];
    if (map === undefined) {
      map = new Map();
      addToTable(map, all, kind);
      built[kind] = map;
    }
    return map;
  };
  const byKind = {} as { [K in FilterKind]: ReadonlyMap<string, readonly Article[]> };
  for (const kind of FILTER_KINDS) Object.defineProperty(byKind, kind, { enumerable: true, get: () => table(kind) });
  return {
    all,
    byKind,
    async buildAllTables(yieldNow) {
      for (const kind of FILTER_KINDS) {
        const map = new Map<string, Article[]>();
        const known = new Map<string, string>();
        for (let from = 0; from < all.length && built[kind] === undefined; from += BACKGROUND_SLICE) {
          addToTable(map, all.slice(from, from + BACKGROUND_SLICE), kind, known);
          await yieldNow();
        }
        built[kind] ??= map;
      }
    },
  };
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

/**
 * Resolves a page of a feed (the main one, or a filter) against a
 * snapshot's feed index at `now`. Undefined when no visible article
 * carries the filter's slug: an unknown feed. The index (per kind and
 * slug, newest first) is built once per snapshot and reused, so this costs
 * a lookup and a binary search, plus the page itself.
 */
export function resolvePage(index: FeedIndex, filter: FeedFilter | undefined, query: FeedQuery, now: Date): PageOfFeed | undefined {
  const list = feedArticles(index, filter);
  if (list === undefined) return undefined;
  const newestVisible = list[visibleFrom(list, now)];
  if (filter !== undefined && newestVisible === undefined) return undefined;
  // The display name is the newest visible article's spelling, as in the feed directory.
  const name = filter === undefined ? 'All stories' : ((newestVisible && namesOf(newestVisible, filter.kind).find(([slug]) => slug === filter.slug)?.[1]) ?? filter.slug);
  return { ...selectPage(list, query, now), name };
}
