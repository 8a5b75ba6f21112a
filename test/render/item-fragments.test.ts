import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { ITEM_RENDER_VERSION, RenderCache, renderFeed, renderFeedWithStored, SERVED_FORMATS } from '../../src/render/render.js';
import { feedMeta } from '../helpers/feed-meta.js';
import { loadSample, SAMPLE_NOW } from '../helpers/sample.js';

/** The sample's main feed, its items as stored (FragmentStore's form), per format. */
function storedItems() {
  const snapshot = loadSample();
  const { site } = snapshot;
  const articles = selectArticles(snapshot.articles, { limit: site.feedSize }, SAMPLE_NOW);
  const input = { site, meta: feedMeta(site, newestChange(articles)), articles };
  return { input, items: Object.fromEntries(SERVED_FORMATS.map((format) => [format, renderFeedWithStored(format, input, new RenderCache(), new Map()).rendered])) };
}

/**
 * Stored items (article_fragments) are valid for one renderer version: the
 * digest of the sample's items is recorded with ITEM_RENDER_VERSION, so a
 * change to what any item renders to fails here until the version moves
 * (and stored items of the old renderer stop being used).
 */
describe('stored feed items', () => {
  it('ITEM_RENDER_VERSION moves whenever the bytes of an item change', () => {
    const { items } = storedItems();
    const digest = createHash('sha256').update(JSON.stringify(items, (key, value) => (key === 'article' ? value.id : value))).digest('hex').slice(0, 16);
    // On a failure: bump ITEM_RENDER_VERSION in src/render/render.ts and record the new pair here.
    expect({ version: ITEM_RENDER_VERSION, digest }).toEqual({ version: 1, digest: '00a28cfccba4e67e' });
  });

  it.each(SERVED_FORMATS)('a %s document from stored items is the same bytes as one rendered whole', (format) => {
    const { input, items } = storedItems();
    const stored = new Map(items[format]!.map(({ article, fragment }) => [article, fragment]));
    const fromStored = renderFeedWithStored(format, input, new RenderCache(), stored);
    expect(fromStored.rendered).toEqual([]);
    expect(fromStored.body).toBe(renderFeed(format, input));
  });
});
