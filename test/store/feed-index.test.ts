import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/model/types.js';
import { formatCursor, parseCursor } from '../../src/model/cursor.js';
import { FILTER_KINDS, matchesFilter, slugsOf } from '../../src/model/feed-filter.js';
import { visibleFrom, isVisible, nextEmbargoRelease } from '../../src/model/feed-query.js';
import { createFeedIndex, nextRelease, resolvePage } from '../../src/store/files/feed-index.js';
import { compareNewestFirst } from '../../src/store/snapshot.js';
import { makeArticle, makeRecord, makeSite, makeSnapshot } from '../helpers/builders.js';

const NOW = new Date('2024-06-01T00:00:00Z');
const TAGS = ['Alpha', 'Beta', 'Gamma', 'Delta'];
const PEOPLE = ['Ann Lee', 'Bo Kim', 'Cy Park'];

/** A pool of varied articles: drafts, embargoes, equal instants, several tags, languages and credits. */
function pool(seed: number, size: number): Article[] {
  const pick = <T>(list: readonly T[], i: number): T => list[(seed * 7 + i * 13) % list.length] as T;
  const articles = Array.from({ length: size }, (_, i) =>
    makeArticle({
      id: `a-${i}`,
      published: new Date(NOW.getTime() + ((((seed + i * 37) % 41) - 30) * 3_600_000)).toISOString(),
      status: (seed + i) % 9 === 0 ? 'draft' : 'published',
      section: pick(['Korea', 'China', 'Tibet'], i),
      tags: TAGS.filter((_, t) => ((seed + i) >> t) & 1),
      language: pick(['en', 'ko', 'zh-Hans'], i + 1),
      credits: [{ name: pick(PEOPLE, i), role: 'reporter' }, { name: pick(PEOPLE, i + 1), role: 'photographer' }],
    }),
  );
  return articles.sort(compareNewestFirst);
}

describe('feed index', () => {
  it('gives the same feeds as filtering and sorting every article', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 12 }), (seed, limit) => {
        const articles = pool(seed, 40);
        const site = makeSite();
        const index = createFeedIndex(articles);
        for (const kind of FILTER_KINDS) {
          const slugs = new Set(articles.flatMap((a) => slugsOf(a, kind)));
          for (const slug of [...slugs, 'nobody']) {
            const filter = { kind, slug };
            const expected = articles.filter((a) => matchesFilter(a, filter) && isVisible(a, NOW));
            const view = resolvePage(index, filter, { limit }, NOW);
            if (expected.length === 0) {
              expect(view).toBeUndefined();
              continue;
            }
            expect(view?.articles.map((a) => a.id)).toEqual(expected.slice(0, limit).map((a) => a.id));
            expect(view?.next !== undefined).toBe(expected.length > limit);
          }
        }
        const main = resolvePage(index, undefined, { limit }, NOW);
        expect(main?.articles.map((a) => a.id)).toEqual(articles.filter((a) => isVisible(a, NOW)).slice(0, limit).map((a) => a.id));
      }),
      { numRuns: 15 },
    );
  });

  it('builds each table once per index, apart from any other index, and finds embargo boundaries by binary search', () => {
    const articles = pool(3, 60);
    const index = createFeedIndex(articles);
    expect(index.byKind.tag).toBe(index.byKind.tag);
    const other = createFeedIndex(articles);
    expect(other.byKind.tag).not.toBe(index.byKind.tag);
    expect(other.byKind.tag).toEqual(index.byKind.tag);
    expect(index.all.every((a) => a.status === 'published')).toBe(true);
    const from = visibleFrom(index.all, NOW);
    expect(index.all.slice(from).every((a) => isVisible(a, NOW))).toBe(true);
    expect(index.all.slice(0, from).some((a) => isVisible(a, NOW))).toBe(false);
    expect(nextRelease(index, NOW)).toEqual(nextEmbargoRelease(articles, NOW));
  });

  it('lists a person credited twice on one article once', () => {
    const article = makeArticle({ credits: [{ name: 'Ann Lee', role: 'reporter' }, { name: 'Bo Kim', role: 'editor' }, { name: 'Ann Lee', role: 'photographer' }] });
    expect(createFeedIndex([article]).byKind.author.get('ann-lee')).toEqual([article]);
  });

  it('serves a tag feed out of 100,000 articles from the index', () => {
    const template = makeArticle({ tags: ['Common'] });
    const rare = makeArticle({ id: 'rare-one', tags: ['Rare'], published: '2020-01-01T00:00:00Z' });
    const articles: Article[] = Array.from({ length: 100_000 }, (_, i) => ({ ...template, id: `bulk-${i}`, published: new Date(NOW.getTime() - (i + 1) * 60_000) }));
    articles.push(rare);
    const index = createFeedIndex(articles);
    const view = resolvePage(index, { kind: 'tag', slug: 'rare' }, { limit: 10 }, NOW);
    expect(view?.articles.map((a) => a.id)).toEqual(['rare-one']);
    const common = resolvePage(index, { kind: 'tag', slug: 'common' }, { limit: 3 }, NOW);
    expect(common?.articles.map((a) => a.id)).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
    expect(index.byKind.tag.get('common')?.length).toBe(100_000);
  });
});

describe('background build of the feed index', () => {
  /** Every table of an index, as plain data: kind → slug → ids. */
  const tables = (index: ReturnType<typeof createFeedIndex>) =>
    Object.fromEntries(FILTER_KINDS.map((kind) => [kind, Object.fromEntries([...index.byKind[kind]].map(([slug, list]) => [slug, list.map((a) => a.id)]))]));

  it('builds every table in slices, giving the event loop turns, with the tables a request would build', async () => {
    const articles = pool(3, 4500);
    const expected = tables(createFeedIndex(articles));
    const index = createFeedIndex(articles);
    let turns = 0;
    await index.buildAllTables(async () => {
      turns += 1;
    });
    // 4,500 published-or-draft articles, slices of 1,000: five turns per kind.
    expect(turns).toBeGreaterThanOrEqual(4 * 4);
    expect(tables(index)).toEqual(expected);
  });

  it('a request for a kind during the build gets the whole table, and the build keeps it', async () => {
    const articles = pool(5, 3000);
    const expected = tables(createFeedIndex(articles));
    const index = createFeedIndex(articles);
    let seen: ReadonlyMap<string, readonly Article[]> | undefined;
    await index.buildAllTables(async () => {
      seen ??= index.byKind.author;
    });
    expect(index.byKind.author).toBe(seen);
    expect(tables(index)).toEqual(expected);
  });
});

describe('cursor', () => {
  it('round-trips and refuses other spellings', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/), (published, id) => {
        const text = formatCursor({ published, id });
        expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(parseCursor(text)).toEqual({ published, id });
        expect(parseCursor(`${text}=`)).toBeUndefined();
      }),
    );
    expect(parseCursor(Buffer.from('12.<script>').toString('base64url'))).toBeUndefined();
    expect(parseCursor(Buffer.from('99999999999999999.a').toString('base64url'))).toBeUndefined();
  });
});

describe('the feed index of a snapshot', () => {
  it('is held by the snapshot: one per snapshot, indexing its own articles only', () => {
    const first = makeSnapshot([makeRecord({ id: 'only-first', tags: ['Harbor'] })]);
    const second = makeSnapshot([makeRecord({ id: 'only-second', tags: ['Harbor'] })]);
    expect(first.index.all.map((a) => a.id)).toEqual(['only-first']);
    expect(second.index.all.map((a) => a.id)).toEqual(['only-second']);
    expect(first.index.byKind.tag.get('harbor')?.map((a) => a.id)).toEqual(['only-first']);
    expect(second.index.byKind.tag.get('harbor')?.map((a) => a.id)).toEqual(['only-second']);
  });
});
