import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { composeContent, isAuthor, itemId, formatCreditLine, joinNames } from '../../src/map/to-feed-model.js';
import { slugify } from '../../src/model/slug.js';
import type { Article } from '../../src/model/types.js';
import { newestChange, selectArticles } from '../../src/model/feed-query.js';
import { renderFeed } from '../../src/render/render.js';
import { excerpt } from '../../src/render/rss.js';
import { jsonFeedProblems } from '../helpers/json-feed.js';
import { decodeHtmlText, parseXml, text } from '../helpers/parse.js';
import { loadSample, SAMPLE_NOW, sampleRecords } from '../helpers/sample.js';
import { feedMeta } from '../helpers/feed-meta.js';

const snapshot = loadSample();
const { site } = snapshot;
const articles = selectArticles(snapshot.articles, { limit: 50 }, SAMPLE_NOW);
const meta = feedMeta(site, newestChange(articles));
const render = (format: 'rss' | 'atom' | 'json') => renderFeed(format, { site, meta, articles });
const records = sampleRecords();

const authors = (a: Article) => a.credits.filter(isAuthor).map((c) => c.name);
/** RSS carries the authors as one dc:creator holding the byline. */
const rssByline = (a: Article) => (authors(a).length === 0 ? [] : [joinNames(authors(a))]);
const contributors = (a: Article) => a.credits.filter((c) => !isAuthor(c)).map((c) => c.name);
const categories = (a: Article) => [...(a.section === undefined ? [] : [a.section]), ...a.tags];

describe('sample data is what the round trips compare against', () => {
  it('has the visible articles newest first, without the draft and the embargoed story', () => {
    expect(articles.map((a) => a.id)).not.toContain('2020-05-draft-interview');
    expect(articles.map((a) => a.id)).not.toContain('2099-01-embargoed-report');
    expect(articles).toHaveLength(records.size - 2);
    for (const a of articles) expect(a.headline).toBe(records.get(a.id)?.headline);
  });

  it.each(articles.map((a) => [a.id, a] as const))('article %s holds exactly what its record says', (id, a) => {
    const record = records.get(id)!;
    expect(a.url).toBe(record.url);
    expect(a.headline).toBe(record.headline);
    expect(a.summary).toBe(record.summary);
    expect(a.section).toBe(record.section);
    expect(a.service).toBe(record.service);
    expect(a.tags).toEqual(record.tags ?? []);
    expect(a.language).toBe(record.language ?? site.language);
    if (record.credits) {
      expect(a.credits.map(({ name, role, organization }) => ({ name, role, ...(organization ? { organization } : {}) }))).toEqual(record.credits);
    }
    const images = (record.images ?? []) as Record<string, unknown>[];
    expect(a.images).toHaveLength(images.length);
    images.forEach((image, k) => expect(a.images[k]).toMatchObject(image));
    if (typeof record.published === 'string' && /[+-]\d{2}:?\d{2}$|Z$/.test(record.published)) {
      expect(a.published.getTime()).toBe(new Date(record.published).getTime());
    }
  });
});

describe('RSS 2.0 parsed back field by field', () => {
  const doc = parseXml(render('rss'));
  const channel = doc.rss.channel;
  const items: Record<string, any>[] = channel.item;

  it('declares each namespace once on <rss> and describes the channel', () => {
    expect(doc.rss['@_version']).toBe('2.0');
    expect(doc.rss['@_xmlns:media']).toBe('http://search.yahoo.com/mrss/');
    expect(doc.rss['@_xmlns:dc']).toBe('http://purl.org/dc/elements/1.1/');
    expect(doc.rss['@_xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(text(channel.title)).toBe(site.title);
    expect(text(channel.link[0])).toBe(site.link);
    expect(text(channel.language)).toBe('en');
    expect(channel['atom:link'][0]['@_rel']).toBe('self');
    expect(channel['atom:link'][0]['@_href']).toBe('https://feeds.example.org/rss.xml');
    expect(new Date(text(channel.lastBuildDate)).getTime()).toBe(newestChange(articles).getTime());
  });

  it.each(articles.map((a, i) => [a.id, i] as const))('item %s carries every field of its record', (_id, i) => {
    const a = articles[i]!;
    const item = items[i]!;
    expect(text(item.title)).toBe(a.headline);
    expect(text(item.link[0])).toBe(a.url);
    expect(text(item.guid)).toBe(itemId(a, site));
    expect(item.guid['@_isPermaLink']).toBe('false');
    expect(text(item.pubDate)).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(new Date(text(item.pubDate)).getTime()).toBe(a.published.getTime());
    expect(new Date(text(item['atom:updated'])).getTime()).toBe(a.updated.getTime());
    expect(decodeHtmlText(text(item.description))).toBe(a.summary ?? excerpt(a.body));
    expect(text(item['content:encoded'])).toBe(composeContent(a));
    expect(item.author).toBeUndefined();
    expect((item['dc:creator'] ?? []).map(text)).toEqual(rssByline(a));
    expect((item['dc:contributor'] ?? []).map(text)).toEqual(contributors(a));
    expect((item.category ?? []).map(text)).toEqual(categories(a));
    expect(item['dc:language'] === undefined ? site.language : text(item['dc:language'])).toBe(a.language);
    const lead = a.images[0];
    if (lead?.bytes) {
      expect(item.enclosure).toEqual({ '@_url': lead.url, '@_type': lead.type, '@_length': String(lead.bytes) });
    } else {
      expect(item.enclosure).toBeUndefined();
    }
    const media: Record<string, any>[] = item['media:content'] ?? [];
    expect(media).toHaveLength(a.images.length);
    a.images.forEach((image, k) => {
      const m = media[k]!;
      expect(m['@_url']).toBe(image.url);
      expect(m['@_medium']).toBe('image');
      expect(m['@_type']).toBe(image.type);
      expect(m['@_width']).toBe(image.width === undefined ? undefined : String(image.width));
      expect(m['@_height']).toBe(image.height === undefined ? undefined : String(image.height));
      expect(m['@_fileSize']).toBe(image.bytes === undefined ? undefined : String(image.bytes));
      expect(m['media:description'] === undefined ? undefined : text(m['media:description'])).toBe(image.caption);
      expect(m['media:credit'] === undefined ? undefined : text(m['media:credit'])).toBe(image.credit);
      expect(m['media:thumbnail']?.['@_url']).toBe(image.thumbnail);
    });
  });
});

describe('Atom 1.0 parsed back field by field', () => {
  const doc = parseXml(render('atom'));
  const feed = doc.feed;
  const entries: Record<string, any>[] = feed.entry;

  it('describes the feed, with its language and self link', () => {
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@_xml:lang']).toBe('en');
    expect(text(feed.title)).toBe(site.title);
    expect(feed.link.find((l: any) => l['@_rel'] === 'self')['@_href']).toBe('https://feeds.example.org/atom.xml');
    expect(text(feed.updated)).toBe(newestChange(articles).toISOString());
    expect(text(feed.author[0].name)).toBe(site.title);
  });

  it.each(articles.map((a, i) => [a.id, i] as const))('entry %s carries every field of its record', (_id, i) => {
    const a = articles[i]!;
    const entry = entries[i]!;
    expect(entry['@_xml:lang']).toBe(a.language);
    // A headline is plain text (issue 24): type="text", escaped only as XML.
    expect(entry.title['@_type']).toBe('text');
    expect(text(entry.title)).toBe(a.headline);
    expect(text(entry.id)).toBe(itemId(a, site));
    expect(entry.link[0]['@_href']).toBe(a.url);
    expect(text(entry.published)).toBe(a.published.toISOString());
    expect(text(entry.updated)).toBe(a.updated.toISOString());
    expect(entry.summary === undefined ? undefined : [entry.summary['@_type'], text(entry.summary)]).toEqual(a.summary === undefined ? undefined : ['text', a.summary]);
    expect(text(entry.content)).toBe(composeContent(a));
    expect((entry.author ?? []).map((p: any) => text(p.name))).toEqual(authors(a));
    expect((entry.contributor ?? []).map((p: any) => text(p.name))).toEqual(contributors(a));
    for (const p of entry.author ?? []) expect(text(p.uri)).toMatch(/^https:\/\/feeds\.example\.org\/authors\/.+\/$/);
    expect((entry.category ?? []).map((c: any) => c['@_label'])).toEqual(categories(a));
    // The name as term, as WordPress writes it; the tag's (or section's) Atom feed as scheme (issue 24).
    expect((entry.category ?? []).map((c: any) => c['@_term'])).toEqual(categories(a));
    for (const c of entry.category ?? []) expect(c['@_scheme']).toBe(`https://feeds.example.org/${c['@_term'] === a.section ? 'sections' : 'tags'}/${encodeURIComponent(slugify(c['@_term']))}/atom.xml`);
    const enclosure = entry.link.find((l: any) => l['@_rel'] === 'enclosure');
    const lead = a.images[0];
    if (lead) {
      expect(enclosure['@_href']).toBe(lead.url);
      expect(enclosure['@_type']).toBe(lead.type);
      expect(enclosure['@_length']).toBe(lead.bytes === undefined ? undefined : String(lead.bytes));
    } else {
      expect(enclosure).toBeUndefined();
    }
  });
});

describe('JSON Feed 1.1 parsed back field by field', () => {
  const feed = JSON.parse(render('json'));

  it('follows the 1.1 rules at the top level', () => {
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe(site.title);
    expect(feed.home_page_url).toBe(site.link);
    expect(feed.feed_url).toBe('https://feeds.example.org/feed.json');
    expect(feed.language).toBe('en');
    expect(feed.author).toBeUndefined();
    expect(feed.authors).toEqual([{ name: site.title, url: site.link }]);
    expect(Array.isArray(feed.items)).toBe(true);
  });

  it.each(articles.map((a, i) => [a.id, i] as const))('item %s carries every field of its record', (_id, i) => {
    const a = articles[i]!;
    const item = feed.items[i];
    expect((item as any).id).toBe(itemId(a, site));
    expect(item.url).toBe(a.url);
    expect(item.title).toBe(a.headline);
    expect(item.summary).toBe(a.summary);
    expect(item.content_html).toBe(composeContent(a));
    expect(item.date_published).toBe(a.published.toISOString());
    expect(item.date_modified).toBe(a.updated.toISOString());
    expect(item.language).toBe(a.language);
    expect(item.author).toBeUndefined();
    expect((item.authors ?? []).map((p: any) => p.name)).toEqual(authors(a));
    expect(item.tags).toEqual(categories(a));
    expect(item.image).toBe(a.images[0]?.url);
    expect(item.attachments ?? []).toEqual(
      a.images.map((image) => ({ url: image.url, mime_type: image.type, ...(image.caption ? { title: image.caption } : {}), ...(image.bytes === undefined ? {} : { size_in_bytes: image.bytes }) })),
    );
    expect(item._wirefeed.credits.map((c: any) => [c.name, c.role, c.organization])).toEqual(a.credits.map((c) => [c.name, c.role, c.organization]));
    expect(item._wirefeed.images).toEqual(a.images);
  });
});

describe('a real reader parser (rss-parser) reads our feeds', () => {
  const parser = new Parser({ customFields: { item: [['dc:creator', 'creators', { keepArray: true }]] } });

  it('reads RSS items with titles, links, guids, dates, creators and enclosures', async () => {
    const feed = await parser.parseString(render('rss'));
    expect(feed.title).toBe(site.title);
    expect(feed.items).toHaveLength(articles.length);
    feed.items.forEach((item, i) => {
      const a = articles[i]!;
      expect(item.title).toBe(a.headline);
      expect(item.link).toBe(a.url);
      expect(item.guid).toBe(itemId(a, site));
      expect(new Date(item.isoDate!).getTime()).toBe(a.published.getTime());
      expect(item.categories).toEqual(categories(a));
      expect(((item as any).creators ?? []).map(String)).toEqual(rssByline(a));
      // rss-parser's single author string (what a one-author reader shows) names every reporter and writer.
      for (const name of authors(a)) expect((item as any).creator).toContain(name);
      if (a.images[0]?.bytes) expect(item.enclosure).toMatchObject({ url: a.images[0].url, type: a.images[0].type });
      expect((item as any)['content:encoded']).toContain(formatCreditLine(a.credits, a.language).slice(0, 20));
    });
  });

  it('reads Atom entries with titles, links, ids and dates', async () => {
    const feed = await parser.parseString(render('atom'));
    expect(feed.items).toHaveLength(articles.length);
    feed.items.forEach((item, i) => {
      const a = articles[i]!;
      expect(item.title).toBe(a.headline);
      expect(item.link).toBe(a.url);
      expect((item as any).id).toBe(itemId(a, site));
      expect(new Date(item.isoDate!).getTime()).toBe(a.published.getTime());
    });
  });
});

describe('the three formats agree', () => {
  it('on items, order, ids, titles, links and dates', () => {
    const rss = parseXml(render('rss')).rss.channel.item as any[];
    const atom = parseXml(render('atom')).feed.entry as any[];
    const json = JSON.parse(render('json')).items as any[];
    const fromRss = rss.map((i) => [text(i.guid), text(i.title), text(i.link[0]), new Date(text(i.pubDate)).toISOString(), text(i['atom:updated'])]);
    const fromAtom = atom.map((e) => [text(e.id), text(e.title), e.link[0]['@_href'], text(e.published), text(e.updated)]);
    const fromJson = json.map((i) => [i.id, i.title, i.url, i.date_published, i.date_modified]);
    expect(fromAtom).toEqual(fromRss);
    expect(fromJson).toEqual(fromRss);
  });
});

describe('JSON Feed 1.1 rules', () => {
  it('the sample feed follows them', () => {
    expect(jsonFeedProblems(render('json'))).toEqual([]);
  });

  it('the check can fail: a 1.0 feed with a single author is refused', () => {
    const old = JSON.parse(render('json'));
    old.version = 'https://jsonfeed.org/version/1';
    old.items[0].author = { name: 'x' };
    expect(jsonFeedProblems(JSON.stringify(old)).length).toBeGreaterThan(1);
  });
});
