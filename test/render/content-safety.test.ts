import { describe, expect, it } from 'vitest';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { renderFeed, SERVED_FORMATS } from '../../src/render/render.js';
import { renderNewsSitemap } from '../../src/render/news-sitemap.js';
import type { DocumentFormat } from '../../src/model/types.js';
import { atomSchemaErrors } from '../helpers/atom-schema.js';
import { jsonFeedProblems } from '../helpers/json-feed.js';
import { ninjsProblems } from '../helpers/ninjs-rules.js';
import { newsSitemapSchemaErrors } from '../helpers/sitemap-schema.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { decodeHtmlText, parseXml, text } from '../helpers/parse.js';
import { feedMeta } from '../helpers/feed-meta.js';

const NOW = new Date('2030-01-01T00:00:00Z');

/** Every document the server renders from records: each served feed format (the format table), and the news sitemap. */
type Document = DocumentFormat | 'news-sitemap';
const DOCUMENTS: readonly Document[] = [...SERVED_FORMATS, 'news-sitemap'];

async function renderAll(records: Record<string, unknown>[]): Promise<Record<Document, string>> {
  const snapshot = makeSnapshot(records);
  expect(snapshot.rejected.map((e) => e.message)).toEqual([]);
  const { site } = snapshot;
  const articles = selectArticles(snapshot.articles, { limit: 100 }, NOW);
  const meta = feedMeta(site, newestChange(articles));
  const feeds = Object.fromEntries(SERVED_FORMATS.map((f) => [f, renderFeed(f, { site, meta, articles })])) as Record<DocumentFormat, string>;
  return { ...feeds, 'news-sitemap': await renderNewsSitemap(site, articles) };
}

/** What a document is valid against: its schema or its specification's rules, [] when valid. */
const PROBLEMS: Readonly<Record<Document, (body: string) => unknown[]>> = {
  rss: (body) => (parseXml(body) ? [] : ['no document']),
  atom: atomSchemaErrors,
  json: jsonFeedProblems,
  ninjs: ninjsProblems,
  'news-sitemap': newsSitemapSchemaErrors,
};

interface ReadBack {
  readonly title: string;
  readonly summary?: string;
  readonly category?: string;
  readonly author?: string;
}

/** Headline, summary, first category and first author of the first item as each document's reader gets them (what it carries). */
const READ_BACK: Readonly<Record<Document, (body: string) => ReadBack>> = {
  rss: (body) => {
    const item = parseXml(body).rss.channel.item[0];
    return { title: text(item.title), summary: decodeHtmlText(text(item.description)), category: text(item.category[0]), author: text(item['dc:creator'][0]) };
  },
  atom: (body) => {
    const entry = parseXml(body).feed.entry[0];
    // Atom title and summary are type="text" (issue 24): read as they stand, no HTML decoding; the category's term is the name too.
    return {
      title: entry.title['@_type'] === 'text' ? text(entry.title) : 'not type="text"',
      summary: entry.summary['@_type'] === 'text' ? text(entry.summary) : 'not type="text"',
      category: entry.category[0]['@_term'] === entry.category[0]['@_label'] ? entry.category[0]['@_term'] : 'term is not the label',
      author: text(entry.author[0].name),
    };
  },
  json: (body) => {
    const item = JSON.parse(body).items[0];
    return { title: item.title, summary: item.summary, category: item.tags[0], author: item.authors[0].name };
  },
  ninjs: (body) => {
    const item = JSON.parse(body).associations[0];
    return { title: item.headlines[0].value, summary: item.descriptions[0].value, category: item.subjects[0].name, author: item.people[0].name };
  },
  // A news sitemap carries the headline only.
  'news-sitemap': (body) => ({ title: text(sitemapUrls(body)[0]['news:news']['news:title']) }),
};

/** Title and language of every item, in order, as each document's reader gets them. */
const ITEMS: Readonly<Record<Document, (body: string) => { title: string; language?: string }[]>> = {
  rss: (body) => (parseXml(body).rss.channel.item as any[]).map((i) => ({ title: text(i.title), language: text(i['dc:language']) })),
  atom: (body) => (parseXml(body).feed.entry as any[]).map((e) => ({ title: text(e.title), language: e['@_xml:lang'] })),
  json: (body) => (JSON.parse(body).items as any[]).map((i) => ({ title: i.title, language: i.language })),
  ninjs: (body) => (JSON.parse(body).associations as any[]).map((i) => ({ title: i.headlines[0].value, language: i.language })),
  'news-sitemap': (body) => sitemapUrls(body).map((u) => ({ title: text(u['news:news']['news:title']) })),
};

function sitemapUrls(body: string): any[] {
  return [parseXml(body).urlset.url].flat();
}

function readBack(out: Record<Document, string>): Record<Document, ReadBack> {
  return Object.fromEntries(DOCUMENTS.map((d) => [d, READ_BACK[d](out[d])])) as Record<Document, ReadBack>;
}

/** The fields `document` carries, each `value`. */
function carried(document: Document, value: string): ReadBack {
  return document === 'news-sitemap' ? { title: value } : { title: value, summary: value, category: value, author: value };
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

  it.each(hostile)('%s', async (value) => {
    const out = await renderAll([makeRecord({ headline: value, summary: value, section: value, credits: [{ name: value, role: 'reporter' }] })]);
    for (const document of DOCUMENTS) expect(PROBLEMS[document](out[document]), document).toEqual([]);
    const back = readBack(out);
    for (const document of DOCUMENTS) expect(back[document], document).toEqual(carried(document, value));
  });

  it('strips characters XML 1.0 cannot carry from every field', async () => {
    const dirty = 'a\u0000b\u0001c\u0008d\u000Be\u001Ff\u007Fg\u0085h\uFFFEi\uFFFFj\uD800k\uDFFFl';
    const out = await renderAll([makeRecord({ headline: dirty, summary: dirty, body: `<p>${dirty}</p>`, tags: [dirty], credits: [{ name: dirty, role: 'writer' }], images: [{ url: 'https://m.example.org/a.jpg', caption: dirty, credit: dirty, alt: dirty }] })]);
    for (const document of DOCUMENTS) expect(out[document], document).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    for (const document of DOCUMENTS) expect(readBack(out)[document].title, document).toBe('abcdefghijkl');
    expect(JSON.parse(out.json).items[0].content_html).toContain('<p>abcdefghijkl</p>');
  });

  it('keeps a huge body whole and well-formed', async () => {
    const paragraph = '<p>Long paragraph with ]]> and &amp; and 한국어 text.</p>';
    const body = paragraph.repeat(20_000);
    const out = await renderAll([makeRecord({ body })]);
    const content = text(parseXml(out.rss).rss.channel.item[0]['content:encoded']);
    expect(content.split('<p>Long paragraph').length - 1).toBe(20_000);
    expect(content).toContain('with ]]&gt; and &amp; and 한국어');
  });

  it('never lets script, event handlers or javascript: URLs through, in any format', async () => {
    const out = await renderAll([makeRecord({ body: '<p onmouseover="steal()">x</p><script>steal()</script><a href="javascript:steal()">y</a><img src="data:image/png;base64,AAAA"><svg onload="steal()"></svg>' })]);
    for (const document of DOCUMENTS) {
      expect(out[document], document).not.toMatch(/steal\(\)/);
      expect(out[document], document).not.toMatch(/data:image/);
    }
  });

  it('right-to-left and non-Latin scripts round-trip byte-exactly', async () => {
    const samples = { ug: 'ئۇيغۇر تىلى', ko: '한국어 기사', 'zh-Hans': '中文报道', bo: 'བོད་སྐད།', my: 'မြန်မာဘာသာ' };
    const out = await renderAll(Object.entries(samples).map(([language, headline], i) => makeRecord({ id: `s-${i}`, language, headline, published: `2024-05-0${i + 1}T10:00:00Z` })));
    const expected = Object.values(samples).reverse();
    for (const document of DOCUMENTS) expect(ITEMS[document](out[document]).map((i) => i.title), document).toEqual(expected);
    // Each item's own language, where the document carries one (a news sitemap names Google's code for it).
    for (const document of SERVED_FORMATS) expect(ITEMS[document](out[document]).map((i) => i.language), document).toEqual(Object.keys(samples).reverse());
  });
});
