import { escapeMarkup } from '../../model/escape.js';
import type { Site } from '../../model/types.js';
import type { FeedDescriptor } from '../../model/feed-filter.js';
import { feedTitle } from '../../query/resolve-feed.js';
import { feedFilePath, feedLabel, GROUPS, previewPath } from './feed-links.js';

export const OPML_MEDIA_TYPE = 'text/x-opml; charset=utf-8';

/** One <outline type="rss"> for a feed: its RSS URL as xmlUrl, its page for people as htmlUrl. */
function outline(site: Site, feed: FeedDescriptor, text: string, indent: string): string {
  const a = (value: string) => escapeMarkup(value);
  return `${indent}<outline type="rss" text="${a(text)}" title="${a(feedTitle(site, feed))}" xmlUrl="${a(`${site.baseUrl}${feedFilePath(feed, 'rss')}`)}" htmlUrl="${a(`${site.baseUrl}${previewPath(feed)}`)}"${feed.filter?.kind === 'language' ? ` language="${a(feed.name)}"` : ''}/>\n`;
}

/**
 * OPML 2.0 listing every feed: the main feed, then one folder per kind
 * (sections, languages, authors, tags). Feed readers import it to take
 * every feed at once. `dateCreated` is the newest change among the
 * articles, never the clock, so the same data gives the same bytes.
 */
export function renderOpml(site: Site, feeds: readonly FeedDescriptor[], updated: Date): string {
  const main = feeds.find((f) => f.filter === undefined) ?? { name: 'All stories', path: '' };
  let body = outline(site, main, site.title, '    ');
  for (const group of GROUPS) {
    const members = feeds.filter((f) => f.filter?.kind === group.kind);
    if (members.length === 0) continue;
    body += `    <outline text="${escapeMarkup(group.title)}" title="${escapeMarkup(group.title)}">\n`;
    for (const feed of members) {
      body += outline(site, feed, feedLabel(feed, site), '      ');
    }
    body += '    </outline>\n';
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>${escapeMarkup(`${site.title}: every feed`)}</title>
    <dateCreated>${updated.toUTCString()}</dateCreated>
    <ownerName>${escapeMarkup(site.title)}</ownerName>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${body}  </body>
</opml>
`;
}
