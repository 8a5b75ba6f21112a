import { describe, expect, it } from 'vitest';
import { visibleSiblings } from '../../src/model/translations.js';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { FORMATS, renderFeed, SERVED_FORMATS } from '../../src/render/render.js';
import { loadSample, SAMPLE_NOW } from '../helpers/sample.js';
import { expectGolden } from '../helpers/golden.js';
import { feedMeta } from '../helpers/feed-meta.js';

/**
 * Reviewed outputs for the sample data. Any change to what we serve shows
 * up as a diff of these files; review it, then accept with
 * `UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts`. A missing
 * file fails (helpers/golden.ts).
 */
describe('golden feeds for the sample data', () => {
  it.each(SERVED_FORMATS)('%s matches test/golden', (format) => {
    const snapshot = loadSample();
    const { site } = snapshot;
    const articles = selectArticles(snapshot.articles, { limit: site.feedSize }, SAMPLE_NOW);
    const meta = feedMeta(site, newestChange(articles));
    const output = renderFeed(format, { site, meta, articles, translations: (a) => visibleSiblings(snapshot.translations, a, SAMPLE_NOW) });
    expectGolden(output, FORMATS[format].fileName);
  });

  it('renders the same bytes twice (no clock, no state)', () => {
    const snapshot = loadSample();
    const { site } = snapshot;
    const articles = selectArticles(snapshot.articles, { limit: 50 }, SAMPLE_NOW);
    const meta = feedMeta(site, newestChange(articles));
    for (const format of SERVED_FORMATS) {
      const first = renderFeed(format, { site, meta, articles });
      const again = renderFeed(format, { site, meta, articles: selectArticles(loadSample().articles, { limit: 50 }, SAMPLE_NOW) });
      expect(again).toBe(first);
    }
  });
});

/** The feed id an Atom feed of the sample site carries, for the feed at `path` with query `search`. */
function atomFeedId(site: ReturnType<typeof loadSample>['site'], path: string, search = ''): string {
  const atom = renderFeed('atom', { site, meta: feedMeta(site, new Date(0), path, search), articles: [] });
  return /<id>([^<]*)<\/id>/.exec(atom)?.[1] ?? '';
}

describe('feed ids', () => {
  it('do not change when the server moves to another public URL', () => {
    const { site } = loadSample();
    const here = atomFeedId(site, '/sections/korea');
    const there = atomFeedId({ ...site, baseUrl: 'https://elsewhere.example.net/feeds' }, '/sections/korea');
    expect(here).toBe('tag:news.example.org,2019:feeds/sections/korea');
    expect(there).toBe(here);
  });
});

describe('feed ids of pages', () => {
  it('are the id of the feed, whatever the query', () => {
    const { site } = loadSample();
    expect(atomFeedId(site, '/tags/x', 'limit=3&before=abc')).toBe('tag:news.example.org,2019:feeds/tags/x');
  });
});

describe('golden files', () => {
  it('a missing one fails rather than being written (unless UPDATE_GOLDEN=1 asks)', () => {
    expect(() => expectGolden('anything', 'no-such-golden-file.txt', false)).toThrow(/no-such-golden-file\.txt is missing.*UPDATE_GOLDEN=1/);
  });
});

describe('golden Google News sitemap for the sample data', () => {
  it('47 hours after the Korean night-school story: its three languages and nothing older', async () => {
    const { selectNewsArticles } = await import('../../src/query/news-sitemap.js');
    const { renderNewsSitemap } = await import('../../src/render/news-sitemap.js');
    const snapshot = loadSample();
    const now = new Date('2020-07-16T09:00:00Z');
    const view = selectNewsArticles(selectArticles(snapshot.articles, { limit: 1000 }, now), now);
    expect(view.articles.map((a) => a.id)).toEqual(['2020-07-night-school-zh', '2020-07-night-school-en', '2020-07-night-school-ko']);
    expectGolden(await renderNewsSitemap(snapshot.site, view.articles), 'news-sitemap.xml');
  });
});
