import { sameArticle } from '../../model/same-article.js';
import type { Article, Site } from '../../model/types.js';
import type { Cursor } from '../../model/cursor.js';
import { FILTER_KINDS, feedPath, slugsOf, type ChangedFeed, type FeedFilter } from '../../model/feed-filter.js';
import { visibleFrom, type PageOfFeed } from '../../model/feed-query.js';
import { type FeedIndex, resolvePage } from './feed-index.js';
import { visibleSiblings } from '../../model/translations.js';
import { Slugger } from '../../model/slug.js';

/** One side of a comparison: a snapshot's site and articles, seen at an instant. */
export interface DataAt {
  readonly site: Site;
  /** Newest first, as in a snapshot. */
  readonly articles: readonly Article[];
  /** The feed index of `articles` (the snapshot's). */
  readonly index: FeedIndex;
  readonly byId: ReadonlyMap<string, Article>;
  /** Translation groups (model/translations.ts); the links they add are part of every document. */
  readonly translations?: ReadonlyMap<string, readonly Article[]>;
  readonly now: Date;
}

/** The translation links an article shows on one side, as one comparable string. */
function linksKey(side: DataAt, article: Article): string {
  if (side.translations === undefined) return '';
  return visibleSiblings(side.translations, article, side.now)
    .map((l) => `${l.id}\n${l.language}\n${l.url}\n${l.headline}`)
    .join('\n');
}

/**
 * The feeds whose default document (no query) differs between `before` and
 * `after`: new, changed, deleted and embargo-released articles, and the
 * feeds they push others out of. Candidates are the main feed and every
 * feed a changed article is (or was) filed under; each candidate is then
 * compared exactly, on everything its document is rendered from (the
 * name its title comes from, the items, the paging cursors), so a feed whose
 * bytes would not change is not reported. A changed site changes them all.
 */
export function changedFeeds(before: DataAt, after: DataAt): ChangedFeed[] {
  const candidates = new Map<string, FeedFilter | undefined>([['', undefined]]);
  // A changed site.json considers every article: names repeat across them, so slug each once.
  const slugs = new Slugger();
  const consider = (article: Article): void => {
    for (const kind of FILTER_KINDS) {
      for (const slug of slugsOf(article, kind, slugs.slugify)) {
        const filter = { kind, slug };
        candidates.set(feedPath(filter), filter);
      }
    }
  };
  const siteChanged = !sameSite(before.site, after.site);
  if (siteChanged) {
    for (const article of before.articles) consider(article);
    for (const article of after.articles) consider(article);
  } else {
    for (const [id, article] of after.byId) {
      const old = before.byId.get(id);
      if (old !== undefined && sameArticle(old, article)) continue;
      consider(article);
      if (old !== undefined) consider(old);
    }
    for (const [id, old] of before.byId) if (!after.byId.has(id)) consider(old);
    // An unchanged article whose translations changed (one added, edited, released or removed) shows other links.
    for (const id of new Set([...(before.translations?.keys() ?? []), ...(after.translations?.keys() ?? [])])) {
      const old = before.byId.get(id);
      const article = after.byId.get(id);
      if (old !== undefined && article !== undefined && linksKey(before, old) !== linksKey(after, article)) consider(article);
    }
    // Embargoes released (or, with a clock set back, re-imposed) between the two instants.
    for (const side of [before, after]) {
      const { all } = side.index;
      const a = visibleFrom(all, before.now);
      const b = visibleFrom(all, after.now);
      for (let i = Math.min(a, b); i < Math.max(a, b); i++) consider(all[i] as Article);
    }
  }
  const changed: ChangedFeed[] = [];
  for (const [path, filter] of candidates) {
    const query = { limit: after.site.feedSize };
    const old = resolvePage(before.index, filter, { limit: before.site.feedSize }, before.now);
    const now = resolvePage(after.index, filter, query, after.now);
    if (old === undefined && now === undefined) continue;
    if (old === undefined || now === undefined || siteChanged || !samePage(old, now, before, after)) changed.push({ ...(filter === undefined ? {} : { filter }), path });
  }
  return changed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Same document: with the site unchanged, title and description follow from the name, and `updated` from the articles. */
function samePage(a: PageOfFeed, b: PageOfFeed, before: DataAt, after: DataAt): boolean {
  if (a.name !== b.name) return false;
  if (!sameCursor(a.next, b.next) || !sameCursor(a.previous, b.previous) || !sameCursor(a.last, b.last)) return false;
  if (a.articles.length !== b.articles.length) return false;
  return a.articles.every((article, i) => sameArticle(article, b.articles[i] as Article) && linksKey(before, article) === linksKey(after, b.articles[i] as Article));
}

function sameCursor(a: Cursor | undefined, b: Cursor | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.published === b.published && a.id === b.id);
}

/** Same site settings (every field feeds into every document). */
function sameSite(a: Site, b: Site): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

