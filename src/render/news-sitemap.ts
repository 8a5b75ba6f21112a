import { DateTime } from 'luxon';
import { ErrorLevel, SitemapStream, streamToPromise } from 'sitemap';
import type { Article, Site } from '../model/types.js';
import { newsLanguage } from '../query/news-sitemap.js';

export const NEWS_SITEMAP_MEDIA_TYPE = 'application/xml; charset=utf-8';
const MAX_LOC_LENGTH = 2048;
/** What the package writes around the entries, with none: the same root and namespaces. */
const EMPTY_NEWS_SITEMAP =
  '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"></urlset>';

/** W3C date-time in the article's own zone (UTC without one), whole seconds: 2020-07-15T09:00:00+09:00. */
function w3cDateTime(date: Date, zone: string | undefined): string {
  const time = DateTime.fromJSDate(date, { zone: zone ?? 'UTC' });
  return (time.isValid ? time : DateTime.fromJSDate(date, { zone: 'UTC' })).toISO({ suppressMilliseconds: true }) ?? date.toISOString();
}

/**
 * A Google News sitemap of these articles (already selected: see
 * query/news-sitemap.ts), written by the `sitemap` package, which escapes
 * text, declares only the news namespace we ask for and checks each entry.
 * What it leaves to us: the language code Google wants (it passes "zh-Hans"
 * through, with a warning on the console), the publication date format,
 * and the sitemap with no entries (it throws EmptySitemap instead).
 * ErrorLevel.THROW: an entry it finds invalid is a bug here, not a reason to
 * serve a sitemap Google would reject.
 */
export async function renderNewsSitemap(site: Site, articles: readonly Article[]): Promise<string> {
  // sitemaps.org caps <loc> at 2,048 characters; a longer URL would make the whole file invalid.
  const listed = articles.filter((article) => article.url.length <= MAX_LOC_LENGTH);
  // The package refuses to end a stream nothing was written to (EmptySitemap); a quiet two days is no error.
  if (listed.length === 0) return EMPTY_NEWS_SITEMAP;
  const stream = new SitemapStream({ xmlns: { news: true, xhtml: false, image: false, video: false }, level: ErrorLevel.THROW });
  const done = streamToPromise(stream);
  for (const article of listed) {
    stream.write({
      url: article.url,
      news: {
        publication: { name: site.title, language: newsLanguage(article.language) },
        publication_date: w3cDateTime(article.published, article.timezone),
        title: article.headline,
      },
    });
  }
  stream.end();
  return (await done).toString('utf8');
}
