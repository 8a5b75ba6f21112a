import fc from 'fast-check';
import { expect } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import { parseSite } from '../../src/load/site.js';
import type { FeedMeta } from '../../src/map/to-feed-model.js';
import type { Article, DocumentFormat, FeedFormat, Site } from '../../src/model/types.js';
import { renderNewsSitemap } from '../../src/render/news-sitemap.js';
import { renderFeed, SERVED_FORMATS } from '../../src/render/render.js';
import { ninjsProblems } from '../helpers/ninjs-rules.js';
import { parseXml, text } from '../helpers/parse.js';
import { newsSitemapSchemaErrors } from '../helpers/sitemap-schema.js';
import { articleRecord, hostileText, type GeneratedRecord } from './arbitraries.js';
import { checkItem, checkVerdict } from './expect-item.js';
import { readAtom, readJson, readRss, type ReadFeed } from './feed-check.js';
import { expectLine } from './normalise.js';
import { feedMeta } from '../helpers/feed-meta.js';

const READERS: Record<FeedFormat, (body: string) => ReadFeed> = { rss: readRss, atom: readAtom, json: readJson };

export interface Case {
  readonly siteTitle: string;
  readonly records: readonly GeneratedRecord[];
}

/** One to three records per feed (built once: building an arbitrary is far dearer than drawing from it). */
export const caseArb = (body?: fc.Arbitrary<string>): fc.Arbitrary<Case> =>
  fc.record({
    siteTitle: fc.oneof(fc.constant('Harbor Light News'), hostileText(8).map((t) => `News ${t}`)),
    records: fc
      .tuple(articleRecord(0, body), fc.option(articleRecord(1, body), { nil: undefined }), fc.option(articleRecord(2, body), { nil: undefined }))
      .map((records) => records.filter((r): r is GeneratedRecord => r !== undefined)),
  });

/**
 * Parses every record, checks each verdict, renders the accepted ones in
 * every served format (SERVED_FORMATS) and in the news sitemap, and checks
 * every field read back.
 */
export async function checkCase({ siteTitle, records }: Case): Promise<void> {
  const site = parseSite({ title: siteTitle, link: 'https://news.example.org/', language: 'en', idAuthority: 'news.example.org,2019' }, 'data/site.json', {
    baseUrl: 'https://feeds.example.org',
    fallbackBaseUrl: 'http://localhost:3000',
  });
  const accepted: { generated: GeneratedRecord; article: Article }[] = [];
  records.forEach((generated, i) => {
    const file = `data/articles/case-${i}.json`;
    const result = parseArticle(generated.record, file, { language: site.language });
    checkVerdict(generated, result, file);
    if (result.article) accepted.push({ generated, article: result.article });
  });
  const meta: FeedMeta = {
    ...feedMeta(site, new Date(Math.max(0, ...accepted.map((a) => a.article.updated.getTime())))),
    description: `${site.title}: every story`,
  };
  for (const format of SERVED_FORMATS) {
    try {
      CHECKS[format](format, site, meta, accepted);
    } catch (error) {
      (error as Error).message = `[${format}] ${(error as Error).message}`;
      throw error;
    }
  }
  await checkNewsSitemap(site, accepted.map((a) => a.article));
}

type Accepted = readonly { generated: GeneratedRecord; article: Article }[];
type Check = (format: DocumentFormat, site: Site, meta: FeedMeta, accepted: Accepted) => void;

/** A reader format: read back with its reader, every field compared with the record. */
const checkReader: Check = (format, site, meta, accepted) => {
  const body = renderFeed(format, { site, meta, articles: accepted.map((a) => a.article) });
  const feed = READERS[format as FeedFormat](body);
  expect(feed.title).toBe(expectLine(site.title));
  expect(feed.items).toHaveLength(accepted.length);
  accepted.forEach(({ generated, article }, i) => checkItem(format as FeedFormat, generated, article, feed.items[i]!, site));
};

/** How each served format is checked: a new format fails to compile until it has a check. */
const CHECKS: Readonly<Record<DocumentFormat, Check>> = {
  rss: checkReader,
  atom: checkReader,
  json: checkReader,
  ninjs: (_format, site, meta, accepted) => checkNinjs(site, meta, accepted.map((a) => a.article)),
};

/**
 * The same articles as a Google News sitemap: valid by the sitemaps.org
 * schema with the News rules, one entry per article whose URL fits in
 * <loc> (2,048 characters), each headline read back exactly.
 */
async function checkNewsSitemap(site: Site, articles: readonly Article[]): Promise<void> {
  try {
    const body = await renderNewsSitemap(site, articles);
    const listed = articles.filter((article) => article.url.length <= 2048);
    // With nothing to list it is an empty urlset on purpose (test/http/news-sitemap.test.ts), which the
    // sitemaps.org schema (one <url> at least) does not allow; every other sitemap must be valid.
    if (listed.length > 0) expect(newsSitemapSchemaErrors(body)).toEqual([]);
    const urls = [parseXml(body).urlset.url ?? []].flat() as Record<string, any>[];
    expect(urls.map((u) => text(u['news:news']['news:title']))).toEqual(listed.map((article) => article.headline));
    expect(urls.map((u) => sameResource(text(u.loc)))).toEqual(listed.map((article) => sameResource(article.url)));
  } catch (error) {
    (error as Error).message = `[news-sitemap] ${(error as Error).message}`;
    throw error;
  }
}

/** A URL with every percent-escape undone, after WHATWG parsing: equal for two spellings of one resource. */
function sameResource(url: string): string {
  return new URL(url).href.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The same articles as a ninjs feed: valid by the 3.1 rules, and every text the partner reads back exactly. */
function checkNinjs(site: Site, meta: FeedMeta, articles: readonly Article[]): void {
  try {
    const body = renderFeed('ninjs', { site, meta, articles });
    expect(ninjsProblems(body)).toEqual([]);
    const doc = JSON.parse(body) as { headlines: { value: string }[]; associations?: Record<string, any>[] };
    expect(doc.headlines[0]?.value).toBe(site.title);
    expect(doc.associations ?? []).toHaveLength(articles.length);
    articles.forEach((article, i) => {
      const item = (doc.associations ?? [])[i] as Record<string, any>;
      expect(item.headlines[0].value).toBe(article.headline);
      // No bodies for a body that sanitises to nothing, as the other formats carry no content element.
      expect(item.bodies?.[0]?.value ?? '').toBe(article.body);
      if (article.body === '') expect(item.bodies).toBeUndefined();
      expect(item.descriptions?.[0].value).toBe(article.summary);
      expect(item.language).toBe(article.language);
      expect((item.people ?? []).map((p: { name: string; rel: string }) => [p.name, p.rel])).toEqual(article.credits.map((c) => [c.name, c.role]));
      // Image URLs may come back percent-encoded where RFC 3986 wants it; they name the same resource.
      expect((item.associations ?? []).map((a: { uri: string }) => sameResource(a.uri))).toEqual(article.images.map((image) => sameResource(image.url)));
    });
  } catch (error) {
    (error as Error).message = `[ninjs] ${(error as Error).message}`;
    throw error;
  }
}

