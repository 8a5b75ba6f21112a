import { describe, expect, it } from 'vitest';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { renderFeed } from '../../src/render/render.js';
import { atomSchemaErrors } from '../helpers/atom-schema.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { parseXml } from '../helpers/parse.js';
import { loadSample, SAMPLE_NOW } from '../helpers/sample.js';
import { feedMeta } from '../helpers/feed-meta.js';

function atomOf(snapshot: ReturnType<typeof loadSample>) {
  const { site } = snapshot;
  const articles = selectArticles(snapshot.articles, { limit: 100 }, SAMPLE_NOW);
  return renderFeed('atom', { site, meta: feedMeta(site, newestChange(articles)), articles });
}

describe('Atom output against RFC 4287', () => {
  it('the sample feed is valid against the RELAX NG schema', () => {
    expect(atomSchemaErrors(atomOf(loadSample()))).toEqual([]);
  });

  it('the schema check can fail (an entry without an id is reported)', () => {
    const broken = atomOf(loadSample()).replace(/<id>tag:[^<]*<\/id>/, '');
    expect(atomSchemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('an empty feed, a feed of uncredited articles and a feed of odd content are valid too', () => {
    expect(atomSchemaErrors(atomOf(makeSnapshot([])))).toEqual([]);
    const odd = makeSnapshot([
      makeRecord({ id: 'no-credits', credits: [], images: [], summary: undefined, tags: [], section: undefined }),
      makeRecord({ id: 'odd', headline: 'A <b>bold</b> & "quoted" ]]> headline', tags: ['<tag>', 'Q&A', ']]>'], section: 'S&P <500>' }),
    ]);
    expect(atomSchemaErrors(atomOf(odd))).toEqual([]);
  });

  it('meets the RFC 4287 rules the schema cannot express', () => {
    const feed = parseXml(atomOf(loadSample())).feed;
    // atom:feed MUST contain an author unless every entry does.
    expect(feed.author.length).toBeGreaterThan(0);
    const ids = new Set<string>();
    for (const entry of feed.entry as any[]) {
      // Entries have unique ids and at most one alternate link per type and hreflang.
      expect(ids.has(entry.id)).toBe(false);
      ids.add(entry.id);
      const alternates = entry.link.filter((l: any) => (l['@_rel'] ?? 'alternate') === 'alternate');
      expect(alternates).toHaveLength(1);
      // An entry with content type="html" has no src; one without content needs an alternate link (it has one).
      expect(entry.content['@_src']).toBeUndefined();
    }
  });
});
