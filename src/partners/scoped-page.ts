import { cursorOf, type Cursor } from '../model/cursor.js';
import type { FeedFilter } from '../model/feed-filter.js';
import { START_OF_TIME, type FeedQuery } from '../model/feed-query.js';
import type { Article } from '../model/types.js';
import type { FeedPage, Store } from '../store/store.js';

/** Articles read from the store per step while looking for a partner's stories: the largest page a feed serves. */
const SCAN = 100;

/**
 * One page of a feed holding only the stories `keep` accepts, with the
 * same keyset cursors as the public feeds (a cursor is a position in the
 * feed's order, whichever stories a page shows): the store's pages are read
 * in steps of SCAN until the page is full and its neighbours are known.
 * Undefined for a feed no visible article carries (as the store says).
 *
 * Its cost grows with the stories skipped: a partner that may see one story
 * in a thousand reads about a thousand to fill a page of one. Both backends
 * answer a step from an index (a feed's keyset query), so a step is cheap;
 * the rendered page is cached like any feed.
 */
export async function scopedPage(store: Store, filter: FeedFilter | undefined, query: FeedQuery, at: Date, keep: (article: Article) => boolean): Promise<FeedPage | undefined> {
  const since = query.since === undefined ? {} : { since: query.since };
  const read = (position: { before: Cursor } | { after: Cursor } | undefined) => store.feedPage(filter, { limit: SCAN, ...since, ...position }, at);
  const first = await read(query.after !== undefined ? { after: query.after } : query.before !== undefined ? { before: query.before } : undefined);
  if (first === undefined) return undefined;
  let articles: Article[];
  let hasNext: boolean;
  let hasPrevious: boolean;
  if (query.after === undefined) {
    ({ found: articles, more: hasNext } = await collect(read, first, query.limit, keep, 'older'));
    const newest = articles[0];
    const from = newest === undefined ? query.before : cursorOf(newest);
    hasPrevious = from !== undefined && query.before !== undefined && (await exists(read, from, keep, 'newer'));
  } else {
    const { found, more } = await collect(read, first, query.limit, keep, 'newer');
    articles = found.reverse();
    hasPrevious = more;
    const oldest = articles.at(-1);
    hasNext = await exists(read, oldest === undefined ? query.after : cursorOf(oldest), keep, 'older');
  }
  const newest = articles[0];
  const oldest = articles.at(-1);
  const here = query.before ?? query.after ?? START_OF_TIME;
  return {
    name: first.name,
    articles,
    ...(hasNext ? { next: oldest === undefined ? here : cursorOf(oldest), last: START_OF_TIME } : {}),
    ...(hasPrevious ? { previous: newest === undefined ? here : cursorOf(newest) } : {}),
    ...(first.nextRelease === undefined ? {} : { nextRelease: first.nextRelease }),
  };
}

type Read = (position: { before: Cursor } | { after: Cursor }) => Promise<FeedPage | undefined>;

/**
 * Up to `limit` kept stories walking `direction` from the first store page,
 * nearest the starting position first, and whether a further kept story exists.
 */
async function collect(read: Read, first: FeedPage, limit: number, keep: (article: Article) => boolean, direction: 'older' | 'newer'): Promise<{ found: Article[]; more: boolean }> {
  const found: Article[] = [];
  let page: FeedPage | undefined = first;
  while (page !== undefined) {
    // A store page is newest first; walking newer, its nearest story is its last.
    const ordered = direction === 'older' ? page.articles : [...page.articles].reverse();
    for (const article of ordered) {
      if (!keep(article)) continue;
      if (found.length === limit) return { found, more: true };
      found.push(article);
    }
    const onward: Cursor | undefined = direction === 'older' ? page.next : page.previous;
    if (onward === undefined) break;
    page = await read(direction === 'older' ? { before: onward } : { after: onward });
  }
  return { found, more: false };
}

/** Whether a kept story lies `direction` of `from`. */
async function exists(read: Read, from: Cursor, keep: (article: Article) => boolean, direction: 'older' | 'newer'): Promise<boolean> {
  let position: { before: Cursor } | { after: Cursor } | undefined = direction === 'older' ? { before: from } : { after: from };
  while (position !== undefined) {
    const page: FeedPage | undefined = await read(position);
    if (page === undefined) return false;
    if (page.articles.some(keep)) return true;
    const onward = direction === 'older' ? page.next : page.previous;
    position = onward === undefined ? undefined : direction === 'older' ? { before: onward } : { after: onward };
  }
  return false;
}
