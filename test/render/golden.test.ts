import { describe, expect, it } from 'vitest';
import { feedLinks } from '../../src/query/resolve-feed.js';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { FEED_FORMATS, FORMATS, renderFeed } from '../../src/render/render.js';
import { loadSample, SAMPLE_NOW } from '../helpers/sample.js';

/**
 * Reviewed outputs for the sample data. Any change to what we serve shows
 * up as a diff of these files; review it, then accept with `npx vitest run -u`.
 */
describe('golden feeds for the sample data', () => {
  it.each(FEED_FORMATS)('%s matches test/golden', async (format) => {
    const snapshot = loadSample();
    const { site } = snapshot;
    const articles = selectArticles(snapshot.articles, { limit: site.feedSize }, SAMPLE_NOW);
    const meta = { title: site.title, description: site.description, links: feedLinks(site.baseUrl, ''), updated: newestChange(articles) };
    const output = renderFeed(format, { site, meta, articles });
    await expect(output).toMatchFileSnapshot(`../golden/${FORMATS[format].fileName}`);
  });

  it('renders the same bytes twice (no clock, no state)', () => {
    const snapshot = loadSample();
    const { site } = snapshot;
    const articles = selectArticles(snapshot.articles, { limit: 50 }, SAMPLE_NOW);
    const meta = { title: site.title, description: site.description, links: feedLinks(site.baseUrl, ''), updated: newestChange(articles) };
    for (const format of FEED_FORMATS) {
      const first = renderFeed(format, { site, meta, articles });
      const again = renderFeed(format, { site, meta, articles: selectArticles(loadSample().articles, { limit: 50 }, SAMPLE_NOW) });
      expect(again).toBe(first);
    }
  });
});

describe('feed ids', () => {
  it('do not change when the server moves to another public URL', async () => {
    const { feedId } = await import('../../src/map/to-feed-model.js');
    const snapshot = loadSample();
    const here = feedId(snapshot.site, { title: '', description: '', updated: new Date(0), links: feedLinks(snapshot.site.baseUrl, '/sections/korea') });
    const moved = { ...snapshot.site, baseUrl: 'https://elsewhere.example.net/feeds' };
    const there = feedId(moved, { title: '', description: '', updated: new Date(0), links: feedLinks(moved.baseUrl, '/sections/korea') });
    expect(here).toBe('tag:news.example.org,2019:feeds/sections/korea');
    expect(there).toBe(here);
  });
});

describe('feed ids of pages', () => {
  it('are the id of the feed, whatever the query', async () => {
    const { feedId } = await import('../../src/map/to-feed-model.js');
    const { site } = loadSample();
    const links = feedLinks(site.baseUrl, '/tags/x');
    const paged = { rss: `${links.rss}?limit=3`, atom: `${links.atom}?limit=3&before=abc`, json: `${links.json}?limit=3` };
    expect(feedId(site, { title: '', description: '', updated: new Date(0), links: paged })).toBe('tag:news.example.org,2019:feeds/tags/x');
  });
});
