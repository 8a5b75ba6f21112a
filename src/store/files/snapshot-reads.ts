import type { Article } from '../../model/types.js';
import { changedFeeds, type DataAt } from './changes.js';
import { listFeeds, type FeedFilter } from '../../model/feed-filter.js';
import { Slugger } from '../../model/slug.js';
import { visibleFrom, newestChange, type FeedQuery } from '../../model/feed-query.js';
import { feedArticles, nextRelease, resolvePage } from './feed-index.js';
import type { Snapshot } from '../snapshot.js';
import { nextSiblingRelease, visibleSiblings, type TranslationLink } from '../../model/translations.js';
import type { TranslationsAt, ArticleSummary, Directory, DirectoryEntry, FeedPage, Store, StoreHealth } from '../store.js';

/** The read side of the Store interface, answered from the in-memory snapshot `current()` returns. */
export type SnapshotReads = Pick<Store, 'site' | 'version' | 'feedPage' | 'translations' | 'article' | 'summaries' | 'directory' | 'health' | 'nextRelease' | 'releasedFeeds'>;

/** A snapshot seen at an instant, as the change comparison takes it. */
export function dataAt(snapshot: Snapshot, now: Date): DataAt {
  return { site: snapshot.site, articles: snapshot.articles, index: snapshot.index, byId: snapshot.byId, translations: snapshot.translations, now };
}

/** Visible articles of a newest-first, published-only list at `now`: the suffix from `visibleFrom`. */
function visibleCount(list: readonly Article[], now: Date): number {
  return list.length - visibleFrom(list, now);
}

/**
 * Feed pages, the directory and health straight from a snapshot: a map
 * lookup and a binary search per feed (see query/feed-index.ts). Each call
 * reads `current()` once, so one answer never mixes two snapshots.
 */
export function snapshotReads(current: () => Snapshot): SnapshotReads {
  // The directory slugs every section and tag of every visible article: remembered per name, for this store only.
  const slugs = new Slugger();
  return {
    site: () => current().site,
    version: () => current().version,

    async feedPage(filter: FeedFilter | undefined, query: FeedQuery, now: Date): Promise<FeedPage | undefined> {
      const snapshot = current();
      const page = resolvePage(snapshot.index, filter, query, now);
      if (page === undefined) return undefined;
      const list = feedArticles(snapshot.index, filter) ?? [];
      const from = visibleFrom(list, now);
      return from === 0 ? page : { ...page, nextRelease: (list[from - 1] as Article).published.getTime() };
    },

    article: async (id) => current().byId.get(id),

    async translations(articles, now): Promise<TranslationsAt> {
      const groups = current().translations;
      const links = new Map<string, readonly TranslationLink[]>();
      for (const article of articles) {
        const siblings = visibleSiblings(groups, article, now);
        if (siblings.length > 0) links.set(article.id, siblings);
      }
      const nextRelease = nextSiblingRelease(groups, articles, now);
      return nextRelease === undefined ? { links } : { links, nextRelease };
    },

    async summaries(): Promise<readonly ArticleSummary[]> {
      return current().articles.map((a) => ({ id: a.id, headline: a.headline, status: a.status, published: a.published, updated: a.updated, url: a.url, source: a.source }));
    },

    async directory(now: Date): Promise<Directory> {
      const snapshot = current();
      const { index } = snapshot;
      const visible = index.all.slice(visibleFrom(index.all, now));
      const feeds: DirectoryEntry[] = listFeeds(visible, slugs.slugify).map((feed) => ({ ...feed, count: visibleCount(feedArticles(index, feed.filter) ?? [], now) }));
      return { feeds, updated: newestChange(visible) };
    },

    async health(now: Date): Promise<StoreHealth> {
      const snapshot = current();
      return {
        backend: 'files',
        up: true,
        articles: snapshot.articles.length,
        visible: visibleCount(snapshot.index.all, now),
        rejected: snapshot.rejected,
        warnings: snapshot.warnings,
      };
    },

    nextRelease: async (now) => nextRelease(current().index, now),

    async releasedFeeds(from: Date, to: Date) {
      const snapshot = current();
      return changedFeeds(dataAt(snapshot, from), dataAt(snapshot, to));
    },
  };
}
