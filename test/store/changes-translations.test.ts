import { describe, expect, it } from 'vitest';
import { changedFeeds, type DataAt } from '../../src/store/files/changes.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';

const NOW = new Date('2024-06-01T00:00:00Z');
const at = (snapshot: Snapshot, now = NOW): DataAt => ({ site: snapshot.site, articles: snapshot.articles, index: snapshot.index, byId: snapshot.byId, translations: snapshot.translations, now });

const original = makeRecord({ id: 'story-ko', language: 'ko', section: 'Korea', tags: [], published: '2024-05-01T00:00:00Z' });
const english = makeRecord({ id: 'story-en', language: 'en', section: 'World', tags: [], translationOf: 'story-ko', published: '2024-05-02T00:00:00Z' });

describe('changed feeds (WebSub) and translations', () => {
  it('a new translation changes the feeds of its original too, which now link to it', () => {
    const before = makeSnapshot([original]);
    const after = makeSnapshot([original, english]);
    expect(changedFeeds(at(before), at(after)).map((f) => f.path)).toEqual(['', ...authorPaths(), '/languages/en', '/languages/ko', '/sections/korea', '/sections/world']);
  });

  it('an embargoed translation changes its original\'s feeds when it is released', () => {
    const later = makeRecord({ ...english, published: '2024-07-01T00:00:00Z' });
    const snapshot = makeSnapshot([original, later]);
    const paths = changedFeeds(at(snapshot), at(snapshot, new Date('2024-07-01T00:00:00Z'))).map((f) => f.path);
    expect(paths).toContain('/sections/korea');
    expect(paths).toContain('/languages/ko');
  });
});

function authorPaths(): string[] {
  return ['/authors/reporter-one', '/authors/translator-two', '/authors/writer-three'];
}
