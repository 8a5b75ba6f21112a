import type { Article } from '../../src/model/types.js';
import { changedFeeds } from '../../src/query/changes.js';
import { listFeeds, type FeedFilter } from '../../src/query/directory.js';
import { feedArticles, indexArticles, nextRelease, visibleFrom } from '../../src/query/feed-index.js';
import { resolveFeedView } from '../../src/query/feed-view.js';
import { newestChange, type FeedQuery } from '../../src/query/select.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import type { ArticleSummary, Directory, FeedPage } from '../../src/store/store.js';

/**
 * The reference semantics the PostgreSQL store is compared with: the files
 * backend's reads over a snapshot, straight from src/query (the same
 * functions the files backend's snapshot reads are built from).
 */
export interface ReferenceReads {
  feedPage(filter: FeedFilter | undefined, query: FeedQuery, now: Date): FeedPage | undefined;
  article(id: string): Article | undefined;
  summaries(): ArticleSummary[];
  directory(now: Date): Directory;
  nextRelease(now: Date): Date | undefined;
  releasedFeeds(from: Date, to: Date): ReturnType<typeof changedFeeds>;
}

export function referenceReads(snapshot: Snapshot): ReferenceReads {
  const index = indexArticles(snapshot.articles);
  const visibleCount = (list: readonly Article[], now: Date) => list.length - visibleFrom(list, now);
  return {
    feedPage(filter, query, now) {
      const view = resolveFeedView(snapshot.site, snapshot.articles, filter, query, now);
      if (view === undefined) return undefined;
      const list = feedArticles(index, filter) ?? [];
      const from = visibleFrom(list, now);
      const { next, previous, last } = view.page;
      return {
        name: view.descriptor.name,
        articles: view.articles,
        ...(next === undefined ? {} : { next }),
        ...(previous === undefined ? {} : { previous }),
        ...(last === undefined ? {} : { last }),
        ...(from === 0 ? {} : { nextRelease: (list[from - 1] as Article).published.getTime() }),
      };
    },
    article: (id) => snapshot.byId.get(id),
    summaries: () => snapshot.articles.map((a) => ({ id: a.id, headline: a.headline, status: a.status, published: a.published, updated: a.updated, url: a.url, source: a.source })),
    directory(now) {
      const visible = index.all.slice(visibleFrom(index.all, now));
      return { feeds: listFeeds(visible).map((feed) => ({ ...feed, count: visibleCount(feedArticles(index, feed.filter) ?? [], now) })), updated: newestChange(visible) };
    },
    nextRelease: (now) => nextRelease(index, now),
    releasedFeeds: (from, to) => {
      const at = (now: Date) => ({ site: snapshot.site, articles: snapshot.articles, byId: snapshot.byId, now });
      return changedFeeds(at(from), at(to));
    },
  };
}
