import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { FeedMeta } from '../../src/map/to-feed-model.js';
import type { Article } from '../../src/model/types.js';
import { renderFeed } from '../../src/render/render.js';
import { makeArticle, makeSite } from '../helpers/builders.js';
import { parseXml, text } from '../helpers/parse.js';
import { feedMeta } from '../helpers/feed-meta.js';

/**
 * Plain text the way strict validators and one-author readers want it: RSS
 * titles as text with "&" and "<" as hexadecimal references (not CDATA),
 * captions, photo credits and alt text without pasted markup, no zero
 * fileSize, and the authors as one byline in RSS.
 */
const site = makeSite();
const render = (format: 'rss' | 'atom', articles: readonly Article[]) => {
  const meta: FeedMeta = { ...feedMeta(site, articles[0]!.updated), description: 'd' };
  return renderFeed(format, { site, meta, articles });
};

describe('plain text in RSS and Atom', () => {
  it('an RSS title is text with & and < as hexadecimal references, never CDATA, and reads back exactly', async () => {
    const article = makeArticle({ id: 'amp-title', headline: 'AT&T <b>bold</b> & Q&amp;A ]]>' });
    const rss = render('rss', [article]);
    expect(rss).toContain('<title>AT&#x26;T &#x3C;b&gt;bold&#x3C;/b&gt; &#x26; Q&#x26;amp;A ]]&gt;</title>');
    expect(rss).not.toMatch(/<title><!\[CDATA\[/);
    expect(text(parseXml(rss).rss.channel.item[0].title)).toBe(article.headline);
    expect((await new Parser().parseString(rss)).items[0]?.title).toBe(article.headline);
  });

  it('no "&amp;" or "&lt;" outside CDATA in RSS or Atom: names, categories and links use the references too', () => {
    const article = makeArticle({ id: 'amp-names', tags: ['Q&A', '<tag>'], credits: [{ name: 'Smith & Wesson', role: 'writer' }], url: 'https://news.example.org/a?x=1&y=2' });
    for (const format of ['rss', 'atom'] as const) {
      const outside = render(format, [article]).replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
      expect(outside, format).not.toMatch(/&amp;|&lt;/);
      expect(outside, format).toContain('Smith &#x26; Wesson');
    }
  });

  it('captions, photo credits and alt text lose pasted markup at load; text that merely has "<" stays', () => {
    const article = makeArticle({
      images: [{ url: 'https://media.example.org/a.jpg', caption: 'A <b>bold</b> caption<br/>on two lines <!-- note -->', credit: '<a href="https://x.example">Agency</a>', alt: '<i></i>', bytes: 0 }, { url: 'https://media.example.org/b.jpg', caption: 'a < b and c > d' }],
    });
    expect(article.images[0]).toMatchObject({ caption: 'A bold caption on two lines', credit: 'Agency' });
    expect(article.images[0]?.alt).toBeUndefined();
    expect(article.images[1]?.caption).toBe('a < b and c > d');
    const rss = render('rss', [article]);
    expect(rss).toContain('<media:description type="plain">A bold caption on two lines</media:description>');
    // Media RSS wants a positive fileSize: a size of 0 is left out.
    expect(rss).not.toContain('fileSize="0"');
  });

  it('RSS carries every reporter and writer in one dc:creator (one-author readers show the last one only); contributors stay separate', async () => {
    const two = makeArticle({ id: 'two', credits: [{ name: 'Min-jun Park', role: 'reporter' }, { name: 'Ji-woo Han', role: 'translator' }, { name: 'Daniel Ortega-Smith', role: 'writer' }] });
    const three = makeArticle({ id: 'three', published: '2024-04-01T00:00:00Z', credits: [{ name: 'A One', role: 'reporter' }, { name: 'B Two', role: 'reporter' }, { name: 'C Three', role: 'writer' }] });
    const rss = render('rss', [two, three]);
    const items = parseXml(rss).rss.channel.item;
    expect(items[0]['dc:creator'].map(text)).toEqual(['Min-jun Park and Daniel Ortega-Smith']);
    expect(items[0]['dc:contributor'].map(text)).toEqual(['Ji-woo Han']);
    expect(items[1]['dc:creator'].map(text)).toEqual(['A One, B Two and C Three']);
    const read = await new Parser().parseString(rss);
    expect(read.items.map((item) => item.creator)).toEqual(['Min-jun Park and Daniel Ortega-Smith', 'A One, B Two and C Three']);
    // Atom keeps one author per person.
    const atom = parseXml(render('atom', [two])).feed.entry[0];
    expect(atom.author.map((a: { name: unknown }) => text(a.name))).toEqual(['Min-jun Park', 'Daniel Ortega-Smith']);
  });
});
