import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { renderFeed } from '../../src/render/render.js';
import { makeSite } from '../helpers/builders.js';
import { feedMeta } from '../helpers/feed-meta.js';
import type { GeneratedRecord } from './arbitraries.js';
import { checkCase } from './check-case.js';
import { readJson, readRss } from './feed-check.js';

/**
 * Counterexamples the property tests found, as fast-check shrank them, kept
 * as fixed cases so the bugs stay fixed whatever the generators draw.
 */
const PUBLISHED = '1900-01-01T00:00:00+00:00';
const AT = -2208988800000;

function record(fields: Record<string, unknown>): GeneratedRecord {
  return { record: { id: 'a-0', url: 'https://news.example.org/a.html', headline: 'a', published: PUBLISHED, ...fields }, mustFail: [], mayFail: false, instants: { published: AT } };
}

const meta = { ...feedMeta(makeSite(), new Date(AT)), title: 'T', description: 'D' };

describe('regressions found by the property tests', () => {
  // sanitize-html decodes character references, so "&#xFFFE;" and "&#x1;" in a body came out as the raw
  // characters, and RSS/Atom became documents no XML parser accepts (the input was cleaned, not the output).
  it.each([['&#xFFFE;'], ['&#x1;'], ['<p>a&#0;b&#x85;c&#xD800;d</p>']])('a body with the character reference %s renders well-formed XML', async (body) => {
    await checkCase({ siteTitle: 'News', records: [record({ body })] });
    const article = parseArticle(record({ body }).record, 'f', { language: 'en' }).article!;
    expect(article.body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/);
  });

  // An iframe from an unlisted host lost its src but stayed in the body as an empty <iframe>; the README
  // promises such iframes are removed.
  it('an iframe from an unlisted host is removed whole, a YouTube player is kept as a link to it', async () => {
    const body = '<p>x</p><iframe src="https://evil.example/"></iframe><iframe src="javascript:alert(1)"></iframe><iframe src="https://www.youtube.com/embed/abc"></iframe>';
    await checkCase({ siteTitle: 'News', records: [record({ body })] });
    const article = parseArticle(record({ body }).record, 'f', { language: 'en' }).article!;
    expect(article.body).toBe('<p>x</p><a href="https://www.youtube.com/embed/abc">https://www.youtube.com/embed/abc</a>');
  });

  // A summary with CRLF: XML readers see LF (XML 1.0 §2.11) while JSON Feed carried CRLF, so the formats disagreed.
  it('line breaks in a summary read the same in every format', async () => {
    await checkCase({ siteTitle: 'News', records: [record({ summary: 'a\r\n<\rb', body: '<p>x</p>' })] });
    const article = parseArticle(record({ summary: 'a\r\n<\rb', body: '<p>x</p>' }).record, 'f', { language: 'en' }).article!;
    expect(article.summary).toBe('a\n<\nb');
  });

  // A body the sanitiser empties ("<script>…</script>") made `feed` drop the JSON Feed summary (it writes
  // summary only next to non-empty content), while RSS and Atom kept it.
  it('the summary of an article whose body sanitises to nothing stays in JSON Feed', async () => {
    await checkCase({ siteTitle: 'News', records: [record({ summary: '!', body: '<script>alert(1)</script>' })] });
    const article = parseArticle(record({ summary: '!', body: '<script>alert(1)</script>' }).record, 'f', { language: 'en' }).article!;
    const site = makeSite();
    expect(readJson(renderFeed('json', { site, meta, articles: [article] })).items[0]?.summary).toBe('!');
    expect(readRss(renderFeed('rss', { site, meta, articles: [article] })).items[0]?.summary).toBe('!');
  });

  // Leap seconds are not instants: rejected with a reason naming the field, never a crash or a guess.
  it.each([['2016-12-31T23:59:60Z'], ['Sat, 31 Dec 2016 23:59:60 +0000']])('the leap second %s is rejected naming "published"', (published) => {
    const result = parseArticle(record({ body: '<p>x</p>', published }).record, 'data/articles/x.json', { language: 'en' });
    expect(result.article).toBeUndefined();
    expect(result.errors.map((e) => e.field)).toEqual(['published']);
    expect(result.errors[0]?.message).toMatch(/^data\/articles\/x\.json: field "published" must be an ISO 8601 date-time .*got "[^"]*23:59:60/);
  });
});
