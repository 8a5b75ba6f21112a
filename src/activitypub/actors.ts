import { FILTER_KINDS, namesOf, slugsOf, type FeedFilter, type FilterKind } from '../model/feed-filter.js';
import type { Article } from '../model/types.js';

/**
 * Handles: every feed is an actor. The main feed is `@all@host`; a section
 * is its bare slug (`@korea@host`), the feeds people follow most; the other
 * kinds carry their kind (`@tag.climate@host`, `@language.ko@host`,
 * `@author.jane-doe@host`). Slugs never contain '.', so the forms never
 * collide; a section whose slug is "all" is `@section.all@host`.
 */
export const MAIN_HANDLE = 'all';

/** The handle of a feed (undefined: the main feed). */
export function handleOf(filter: FeedFilter | undefined): string {
  if (filter === undefined) return MAIN_HANDLE;
  if (filter.kind === 'section' && filter.slug !== MAIN_HANDLE) return filter.slug;
  return `${filter.kind}.${filter.slug}`;
}

/** The feed a handle names: null for the main feed, undefined for no feed. */
export function filterOf(handle: string): FeedFilter | null | undefined {
  if (handle === MAIN_HANDLE) return null;
  const dot = handle.indexOf('.');
  if (dot < 0) return handle === '' ? undefined : { kind: 'section', slug: handle };
  const kind = handle.slice(0, dot) as FilterKind;
  const slug = handle.slice(dot + 1);
  if (!FILTER_KINDS.includes(kind) || slug === '') return undefined;
  return { kind, slug };
}

/** The handles a story is announced from: the main feed's and each of its feeds'. */
export function actorsOf(article: Article): string[] {
  const handles = [MAIN_HANDLE];
  for (const kind of FILTER_KINDS) for (const slug of slugsOf(article, kind)) handles.push(handleOf({ kind, slug }));
  return [...new Set(handles)];
}

/** The feed's display name as the story spells it ("Korea", "Jane Doe"); the slug when the story does not carry it. */
export function nameIn(article: Article | undefined, filter: FeedFilter): string {
  if (article === undefined) return filter.slug;
  return namesOf(article, filter.kind).find(([slug]) => slug === filter.slug)?.[1] ?? filter.slug;
}
