import { ArticleError, DuplicateIdError } from '../load/errors.js';
import type { FileRecord } from '../load/file-record.js';
import { resolveTranslationGroups } from '../model/translations.js';
import { translationWarningsOf } from './translation-warnings.js';
import type { Article, Site } from '../model/types.js';
import { createFeedIndex, type FeedIndex } from './files/feed-index.js';

/**
 * One immutable, consistent view of the data. A request is served entirely
 * from one snapshot; a reload builds a new one and swaps it in whole.
 */
export interface Snapshot {
  /** Increases with every swap; part of every cache key. */
  readonly version: number;
  readonly site: Site;
  /** Every valid article, drafts and embargoed ones included, newest `published` first (ties: id). */
  readonly articles: readonly Article[];
  readonly byId: ReadonlyMap<string, Article>;
  /** The feed index of `articles` (files/feed-index.ts): built with the snapshot, its tables on first use or in the background. */
  readonly index: FeedIndex;
  /** Article id → its translation group (itself included, original first); only articles in a group (model/translations.ts). */
  readonly translations: ReadonlyMap<string, readonly Article[]>;
  /** When grouped articles are released (epoch ms, ascending): feed caches turn over when a sibling link appears. */
  readonly translationReleases: readonly number[];
  /** Files that yielded no article, with every reason. */
  readonly rejected: readonly ArticleError[];
  readonly warnings: readonly ArticleError[];
}

/** Newest published first; equal instants ordered by id so the order is total and stable. */
export function compareNewestFirst(a: Article, b: Article): number {
  return b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Assembles file records into a snapshot. Records are taken in file-name
 * order; a second file with an id already taken is rejected, naming both.
 * Translation links are resolved across files; a broken one is a warning
 * naming both files, and the story is served without it.
 */
export function buildSnapshot(site: Site, files: Iterable<FileRecord>, version: number): Snapshot {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byId = new Map<string, Article>();
  const rejected: ArticleError[] = [];
  const warnings: ArticleError[] = [];
  for (const file of sorted) {
    rejected.push(...file.errors);
    warnings.push(...file.warnings);
    const article = file.article;
    if (!article) continue;
    const first = byId.get(article.id);
    if (first) {
      rejected.push(new DuplicateIdError(file.shownAs, file.name, article.id, first.source));
      continue;
    }
    byId.set(article.id, article);
  }
  const articles = [...byId.values()].sort(compareNewestFirst);
  const { groups, problems, releases } = resolveTranslationGroups(articles, byId);
  warnings.push(...translationWarningsOf(problems));
  return { version, site, articles, byId, index: createFeedIndex(articles), translations: groups, translationReleases: releases, rejected, warnings };
}

export type SnapshotListener = (next: Snapshot, previous: Snapshot) => void;

/**
 * Holds the files backend's current snapshot and tells listeners when it
 * is replaced: the one change notification the files store turns into
 * StoreChange events.
 */
export interface SnapshotHolder {
  current(): Snapshot;
  replace(next: Snapshot): void;
  subscribe(listener: SnapshotListener): () => void;
}

export function createSnapshotHolder(initial: Snapshot): SnapshotHolder {
  let current = initial;
  const listeners = new Set<SnapshotListener>();
  return {
    current: () => current,
    replace(next) {
      const previous = current;
      current = next;
      for (const listener of listeners) listener(next, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export type { FileRecord } from '../load/file-record.js';
