/**
 * What a new snapshot's first requests would otherwise pay for, done in the
 * background while the snapshot is still the current one.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Article } from '../../model/types.js';
import type { FeedFilter } from '../../model/feed-filter.js';
import { visibleFrom } from '../../model/feed-query.js';
import type { Snapshot } from '../snapshot.js';
import type { PreparedFeed } from '../store.js';

/** Bodies read between two turns of the event loop (~0.2 ms each). */
const BODY_SLICE = 10;
/** Tag feeds whose first page is prepared: the largest, which most readers poll. */
const TOP_TAGS = 20;
/**
 * Bodies prepared at most: below the 2,048 sanitised bodies the store's
 * BodyCache (lazy-body.ts) keeps, so the first pages prepared last do not push out those prepared
 * first. About 0.3 s of one core, in slices, after each new snapshot; an
 * unchanged article keeps its object across reloads, so a reload prepares
 * only the bodies of what changed.
 */
const MAX_BODIES = 1500;

/** One of the busiest feeds (no filter: the main feed) and its first page. */
export interface BusyPage extends PreparedFeed {
  readonly articles: readonly Article[];
}

/** The first page (at `now`) of the main feed, each language and section, and the TOP_TAGS largest tags: the feeds read most. */
export function busiestFirstPages(snapshot: Snapshot, now: Date): BusyPage[] {
  const { index } = snapshot;
  const size = snapshot.site.feedSize;
  const firstPage = (list: readonly Article[], filter?: FeedFilter): BusyPage => {
    const from = visibleFrom(list, now);
    const articles = list.slice(from, from + size);
    return filter === undefined ? { articles } : { filter, articles };
  };
  const ofKind = (kind: 'language' | 'section' | 'tag') => [...index.byKind[kind]].map(([slug, list]) => firstPage(list, { kind, slug }));
  const sizeOf = (slug: string) => index.byKind.tag.get(slug)?.length ?? 0;
  const tags = [...index.byKind.tag.keys()].sort((a, b) => sizeOf(b) - sizeOf(a)).slice(0, TOP_TAGS);
  return [firstPage(index.all), ...ofKind('language'), ...ofKind('section'), ...tags.map((slug) => firstPage(index.byKind.tag.get(slug) ?? [], { kind: 'tag', slug }))];
}

/**
 * Reads and sanitises the bodies of the main feed's first page at once,
 * before the store says it is ready: the first reader after a start or a
 * deploy asks for that page, and paid for its 50 bodies (about 10 ms at
 * 100,000 files, plus compiling the sanitiser on its first use) on top of
 * rendering and compressing. Needs no index table (the main feed is the
 * snapshot's own list); the background preparation does the rest.
 */
export function prepareMainPage(snapshot: Snapshot, now: Date): void {
  const list = snapshot.index.all;
  const from = visibleFrom(list, now);
  for (const article of list.slice(from, from + snapshot.site.feedSize)) readBody(article);
}

function readBody(article: Article): void {
  try {
    void article.body;
  } catch {
    // A file changed under its lazily read body: the reload on its way makes a new snapshot.
  }
}

/**
 * Builds every feed index table (see buildAllTables), then reads and
 * sanitises the bodies of the busiest feeds' first pages, main feed first
 * (which also compiles the sanitiser before a request needs it: its first
 * use took several times longer than later ones). Pages of other feeds, and
 * later pages, are read when first asked for. Resolves with the feeds whose
 * first page was prepared whole, busiest first (none when the snapshot was
 * replaced meanwhile): the app renders those into its cache next
 * (http/feed-preparation.ts).
 */
export async function prepareInBackground(snapshot: Snapshot, stillCurrent: () => boolean, clock: () => Date): Promise<readonly PreparedFeed[]> {
  await snapshot.index.buildAllTables(() => yieldToEventLoop());
  const seen = new Set<Article>();
  const prepared: PreparedFeed[] = [];
  for (const page of busiestFirstPages(snapshot, clock())) {
    for (const article of page.articles) {
      if (!stillCurrent()) return [];
      if (seen.size >= MAX_BODIES) return prepared;
      if (seen.has(article)) continue;
      seen.add(article);
      readBody(article);
      if (seen.size % BODY_SLICE === 0) await yieldToEventLoop();
    }
    prepared.push(page.filter === undefined ? {} : { filter: page.filter });
  }
  return stillCurrent() ? prepared : [];
}
