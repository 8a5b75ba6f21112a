import { describe, expect, it } from 'vitest';
import { resolveTranslationGroups, visibleSiblings } from '../../src/model/translations.js';
import { makeArticle, makeSnapshot, makeRecord } from '../helpers/builders.js';
import { loadSample, SAMPLE_NOW } from '../helpers/sample.js';

const NOW = new Date('2030-01-01T00:00:00Z');

describe('translation groups', () => {
  it('groups an original with every article naming it, original first, and links each to the others', () => {
    const ko = makeArticle({ id: 'story-ko', language: 'ko', url: 'https://news.example.org/ko.html' });
    const en = makeArticle({ id: 'story-en', language: 'en', translationOf: 'story-ko' });
    const zh = makeArticle({ id: 'story-zh', language: 'zh-Hans', translationOf: 'story-ko' });
    const { groups, problems } = resolveTranslationGroups([zh, en, ko]);
    expect(problems).toEqual([]);
    expect(groups.get('story-en')?.map((a) => a.id)).toEqual(['story-ko', 'story-en', 'story-zh']);
    expect(visibleSiblings(groups, ko, NOW).map((l) => [l.language, l.url])).toEqual([
      ['en', en.url],
      ['zh-Hans', zh.url],
    ]);
    expect(visibleSiblings(groups, zh, NOW).map((l) => l.id)).toEqual(['story-ko', 'story-en']);
  });

  it('does not link a draft or an embargoed translation before a reader may see it', () => {
    const ko = makeArticle({ id: 'story-ko', language: 'ko' });
    const en = makeArticle({ id: 'story-en', language: 'en', translationOf: 'story-ko', published: '2040-01-01T00:00:00Z' });
    const zh = makeArticle({ id: 'story-zh', language: 'zh', translationOf: 'story-ko', status: 'draft' });
    const { groups } = resolveTranslationGroups([ko, en, zh]);
    expect(visibleSiblings(groups, ko, NOW)).toEqual([]);
    expect(visibleSiblings(groups, ko, new Date('2040-01-01T00:00:00Z')).map((l) => l.id)).toEqual(['story-en']);
  });

  it('reports a missing original, a chain, a cycle and a second article in one language as warnings naming both files, and serves every story', () => {
    const snapshot = makeSnapshot([
      makeRecord({ id: 'orig', language: 'ko' }),
      makeRecord({ id: 'en-one', language: 'en', translationOf: 'orig' }),
      makeRecord({ id: 'en-two', language: 'EN', translationOf: 'orig' }),
      makeRecord({ id: 'chained', language: 'zh', translationOf: 'en-one' }),
      makeRecord({ id: 'loop-a', language: 'my', translationOf: 'loop-b' }),
      makeRecord({ id: 'loop-b', language: 'bo', translationOf: 'loop-a' }),
      makeRecord({ id: 'orphan', language: 'ug', translationOf: 'nowhere' }),
    ]);
    expect(snapshot.rejected).toEqual([]);
    expect(snapshot.articles).toHaveLength(7);
    const messages = snapshot.warnings.map((w) => w.message);
    expect(messages).toContain(
      'data/articles/0002-en-two.json: field "translationOf" is in "EN", like "en-one" in the same translation group; a group holds one article per language (data/articles/0001-en-one.json)',
    );
    expect(messages).toContain(
      'data/articles/0003-chained.json: field "translationOf" names "en-one" as its original, but that is itself a translation of "orig"; name the original instead (data/articles/0001-en-one.json)',
    );
    expect(messages.filter((m) => m.includes('loop-'))).toHaveLength(2);
    expect(messages).toContain('data/articles/0006-orphan.json: field "translationOf" names "nowhere" as its original, but no article has that id; shown without translations');
    expect(snapshot.translations.get('orig')?.map((a) => a.id)).toEqual(['orig', 'en-one']);
    expect(snapshot.translations.has('chained')).toBe(false);
    expect(snapshot.translations.has('loop-a')).toBe(false);
  });

  it('ignores a malformed translationOf with a warning instead of rejecting the story', () => {
    const snapshot = makeSnapshot([makeRecord({ id: 'x', translationOf: 'Not An Id' })]);
    expect(snapshot.rejected).toEqual([]);
    expect(snapshot.articles[0]?.translationOf).toBeUndefined();
    expect(snapshot.warnings.map((w) => w.field)).toEqual(['translationOf']);
  });

  it('the sample data holds one story in Korean, English and Chinese, linked', () => {
    const snapshot = loadSample();
    expect(snapshot.warnings).toEqual([]);
    const group = snapshot.translations.get('2020-07-night-school-en');
    expect(group?.map((a) => a.language)).toEqual(['ko', 'en', 'zh-Hans']);
    const en = snapshot.byId.get('2020-07-night-school-en');
    expect(en && visibleSiblings(snapshot.translations, en, SAMPLE_NOW).map((l) => l.language)).toEqual(['ko', 'zh-Hans']);
  });
});
