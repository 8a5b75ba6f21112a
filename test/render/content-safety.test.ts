import { describe, expect, it } from 'vitest';
import { feedLinks } from '../../src/query/resolve-feed.js';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { FEED_FORMATS, renderFeed } from '../../src/render/render.js';
import type { FeedFormat } from '../../src/model/types.js';
import { atomSchemaErrors } from '../helpers/atom-schema.js';
import { jsonFeedProblems } from '../helpers/json-feed.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { decodeHtmlText, parseXml, text } from '../helpers/parse.js';
import { feedMeta } from '../helpers/feed-meta.js';

const NOW = new Date('2030-01-01T00:00:00Z');

function renderAll(records: Record<string, unknown>[]): Record<FeedFormat, string> {
  const snapshot = makeSnapshot(records);
  expect(snapshot.rejected.map((e) => e.message)).toEqual([]);
  const { site } = snapshot;
  const articles = selectArticles(snapshot.articles, { limit: 100 }, NOW);
  const meta = feedMeta(site, newestChange(articles));
  return Object.fromEntries(FEED_FORMATS.map((f) => [f, renderFeed(f, { site, meta, articles })])) as Record<FeedFormat, string>;
}

/** Headline, summary, first category and first author as each format's reader gets them. */
function readBack(out: Record<FeedFormat, string>) {
  const item = parseXml(out.rss).rss.channel.item[0];
  const entry = parseXml(out.atom).feed.entry[0];
  const json = JSON.parse(out.json).items[0];
  return {
    rss: { title: text(item.title), summary: decodeHtmlText(text(item.description)), category: text(item.category[0]), author: text(item['dc:creator'][0]) },
    // Atom title and summary are type="text" (issue 24): read as they stand, no HTML decoding; the category's term is the name too.
    atom: { title: entry.title['@_type'] === 'text' ? text(entry.title) : undefined, summary: entry.summary['@_type'] === 'text' ? text(entry.summary) : undefined, category: entry.category[0]['@_term'] === entry.category[0]['@_label'] ? entry.category[0]['@_term'] : undefined, author: text(entry.author[0].name) },
    json: { title: json.title, summary: json.summary, category: json.tags[0], author: json.authors[0].name },
  };
}

describe('any text reaches every reader exactly, in well-formed output', () => {
  const hostile = [
    'AT&T <Q3>',
    'Use &amp; for "&" and &lt; for <',
    'two ]]> CDATA ]]> ends ]]>',
    '<![CDATA[ nested ]]> <!-- comment --> <?pi x?>',
    "quotes \" and ' and `",
    '<img src=x onerror=alert(1)>',
    'RTL \u202Eevil\u202C and עברית and ئۇيغۇرچە',
    'emoji 🎉👩🏽‍💻 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    'combining e\u0301 and ZWJ \u200D',
  ];

  it.each(hostile)('%s', (value) => {
    const out = renderAll([makeRecord({ headline: value, summary: value, section: value, credits: [{ name: value, role: 'reporter' }] })]);
    for (const format of ['rss', 'atom'] as const) expect(() => parseXml(out[format])).not.toThrow();
    expect(atomSchemaErrors(out.atom)).toEqual([]);
    expect(jsonFeedProblems(out.json)).toEqual([]);
    const back = readBack(out);
    for (const format of FEED_FORMATS) expect(back[format]).toEqual({ title: value, summary: value, category: value, author: value });
  });

  it('strips characters XML 1.0 cannot carry from every field', () => {
    const dirty = 'a\u0000b\u0001c\u0008d\u000Be\u001Ff\u007Fg\u0085h\uFFFEi\uFFFFj\uD800k\uDFFFl';
    const out = renderAll([makeRecord({ headline: dirty, summary: dirty, body: `<p>${dirty}</p>`, tags: [dirty], credits: [{ name: dirty, role: 'writer' }], images: [{ url: 'https://m.example.org/a.jpg', caption: dirty, credit: dirty, alt: dirty }] })]);
    for (const format of FEED_FORMATS) expect(out[format]).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(readBack(out).rss.title).toBe('abcdefghijkl');
    expect(JSON.parse(out.json).items[0].content_html).toContain('<p>abcdefghijkl</p>');
  });

  it('keeps a huge body whole and well-formed', () => {
    const paragraph = '<p>Long paragraph with ]]> and &amp; and 한국어 text.</p>';
    const body = paragraph.repeat(20_000);
    const out = renderAll([makeRecord({ body })]);
    const content = text(parseXml(out.rss).rss.channel.item[0]['content:encoded']);
    expect(content.split('<p>Long paragraph').length - 1).toBe(20_000);
    expect(content).toContain('with ]]&gt; and &amp; and 한국어');
  });

  it('never lets script, event handlers or javascript: URLs through, in any format', () => {
    const out = renderAll([makeRecord({ body: '<p onmouseover="steal()">x</p><script>steal()</script><a href="javascript:steal()">y</a><img src="data:image/png;base64,AAAA"><svg onload="steal()"></svg>' })]);
    for (const format of FEED_FORMATS) {
      expect(out[format]).not.toMatch(/steal\(\)/);
      expect(out[format]).not.toMatch(/data:image/);
    }
  });

  it('right-to-left and non-Latin scripts round-trip byte-exactly', () => {
    const samples = { ug: 'ئۇيغۇر تىلى', ko: '한국어 기사', 'zh-Hans': '中文报道', bo: 'བོད་སྐད།', my: 'မြန်မာဘာသာ' };
    const out = renderAll(Object.entries(samples).map(([language, headline], i) => makeRecord({ id: `s-${i}`, language, headline, published: `2024-05-0${i + 1}T10:00:00Z` })));
    const rssTitles = (parseXml(out.rss).rss.channel.item as any[]).map((i) => text(i.title));
    const atomEntries = parseXml(out.atom).feed.entry as any[];
    const jsonItems = JSON.parse(out.json).items as any[];
    const expected = Object.values(samples).reverse();
    expect(rssTitles).toEqual(expected);
    expect(atomEntries.map((e) => text(e.title))).toEqual(expected);
    expect(atomEntries.map((e) => e['@_xml:lang'])).toEqual(Object.keys(samples).reverse());
    expect(jsonItems.map((i) => i.title)).toEqual(expected);
    expect(jsonItems.map((i) => i.language)).toEqual(Object.keys(samples).reverse());
    expect((parseXml(out.rss).rss.channel.item as any[]).map((i) => text(i['dc:language']))).toEqual(Object.keys(samples).reverse());
  });
});
