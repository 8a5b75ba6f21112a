import { describe, expect, it } from 'vitest';
import { defineLazyBody } from '../../src/load/lazy-body.js';
import type { Article } from '../../src/model/types.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { busiestFirstPages, prepareInBackground, prepareMainPage } from '../../src/store/files/prepare.js';
import { makeArticle, makeSite } from '../helpers/builders.js';

/**
 * After a new snapshot, the store prepares in the background what the first
 * requests would pay for: the feed index tables, then the bodies of the
 * busiest feeds' first pages (main feed, languages, sections, largest tags).
 */
const NOW = new Date('2030-06-01T00:00:00Z');
const reads: string[] = [];

function article(i: number, overrides: Record<string, unknown>): Article {
  const plain = makeArticle({ id: `a-${i}`, published: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(), ...overrides });
  // A body that records when it is read, as a body left on disk is read (see lazy-body.ts).
  return defineLazyBody(plain, { produce: (a) => (reads.push((a as unknown as Article).id), '<p>body</p>') });
}

function snapshotOf(articles: readonly Article[]) {
  return buildSnapshot(makeSite({ feedSize: 3 }), articles.map((a, i) => ({ name: `${String(i).padStart(4, '0')}.json`, shownAs: a.source, article: a, errors: [], warnings: [] })), 1);
}

describe('background preparation', () => {
  // 30 tags of sizes 1..30 (tag-k on articles 0..k-1), two languages, one section.
  const articles = Array.from({ length: 40 }, (_, i) =>
    article(i, { tags: Array.from({ length: 30 }, (_, k) => `Tag ${k + 1}`).filter((_, k) => i < k + 1), language: i % 2 ? 'ko' : 'en', section: 'World' }),
  );
  const snapshot = snapshotOf(articles);

  it('picks the first page of the main feed, each language and section, and the 20 largest tags', () => {
    const pages = busiestFirstPages(snapshot, NOW);
    expect(pages).toHaveLength(1 + 2 + 1 + 20);
    expect(pages[0]?.filter).toBeUndefined();
    expect(pages[0]?.articles.map((a) => a.id)).toEqual(['a-0', 'a-1', 'a-2']);
    const tagPages = pages.slice(4);
    // Tags 30 down to 11 (11 articles or more): a full first page each; tags 1–10 are left out.
    expect(tagPages.every((p) => p.articles.length === 3)).toBe(true);
    expect(tagPages.map((p) => p.filter)).toEqual(Array.from({ length: 20 }, (_, k) => ({ kind: 'tag', slug: `tag-${30 - k}` })));
  });

  it('resolves with the feeds it prepared, busiest first, for the app to render next; none once the snapshot is replaced', async () => {
    const feeds = await prepareInBackground(snapshot, () => true, () => NOW);
    expect(feeds.map((f) => f.filter)).toEqual(busiestFirstPages(snapshot, NOW).map((p) => p.filter));
    expect(feeds[0]).toEqual({});
    expect(await prepareInBackground(snapshot, () => false, () => NOW)).toEqual([]);
  });

  it('reads each of those bodies once, main feed first, and stops when the snapshot is replaced', async () => {
    reads.length = 0;
    await prepareInBackground(snapshot, () => true, () => NOW);
    expect(reads.slice(0, 3)).toEqual(['a-0', 'a-1', 'a-2']);
    expect(new Set(reads).size).toBe(reads.length);
    reads.length = 0;
    const other = snapshotOf(articles.map((a, i) => article(i, { tags: a.tags, language: a.language })));
    await prepareInBackground(other, () => false, () => NOW);
    expect(reads).toEqual([]);
  });

  it('reads the main feed’s first page at once (createFilesStore does, before the store is ready), and nothing else', () => {
    reads.length = 0;
    prepareMainPage(snapshot, NOW);
    expect(reads).toEqual(['a-0', 'a-1', 'a-2']);
  });
});
