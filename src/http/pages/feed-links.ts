import type { FeedDescriptor, FilterKind } from '../../model/feed-filter.js';
import { FORMATS } from '../../render/render.js';
import type { FeedFormat, Site } from '../../model/types.js';
import { html, type SafeHtml } from './html.js';
import type { AlternateLink } from './layout.js';
import { textDirection } from './locale.js';

/** Format names as people know them, in the order pages list them. */
export const FORMAT_LABELS: readonly { readonly format: FeedFormat; readonly label: string; readonly type: AlternateLink['type'] }[] = [
  { format: 'rss', label: 'RSS', type: 'application/rss+xml' },
  { format: 'atom', label: 'Atom', type: 'application/atom+xml' },
  { format: 'json', label: 'JSON Feed', type: 'application/feed+json' },
];

/** Group headings for the filtered feeds, in the order the home page and OPML list them. */
export const GROUPS: readonly { readonly kind: FilterKind; readonly title: string; readonly intro: string }[] = [
  { kind: 'section', title: 'Sections', intro: 'Every story filed in one section.' },
  { kind: 'language', title: 'Languages', intro: 'Every story written in one language.' },
  { kind: 'author', title: 'Authors', intro: 'Every story one reporter or writer is credited on.' },
  { kind: 'tag', title: 'Tags', intro: 'Every story carrying one tag.' },
];

/**
 * The path of the site URL: "/feeds" when wirefeed is mounted (or proxied)
 * under https://news.example.org/feeds, "" at the root. The pages' links
 * are root-relative (no host, so they follow the page's own origin) and
 * carry it. Taken from the site URL rather than the request, so a page is
 * the same bytes and ETag on every replica, as the feeds are.
 */
export function mountPath(site: Site): string {
  return new URL(site.baseUrl).pathname.replace(/\/+$/, '');
}

/** Path of a feed document: "/sections/korea/rss.xml", "/feed.json". */
export function feedFilePath(feed: FeedDescriptor, format: FeedFormat): string {
  return `${feed.path}/${FORMATS[format].fileName}`;
}

/** Path of a feed's page for people: "/sections/korea/", "/" for the main feed. */
export function previewPath(feed: FeedDescriptor): string {
  return `${feed.path}/`;
}

/** English name of a language tag with its own name ("Uyghur", "ئۇيغۇرچە"), when Intl knows them. */
export function languageNames(tag: string, pageLanguage: string): { readonly name: string; readonly autonym?: string } {
  try {
    const name = new Intl.DisplayNames([pageLanguage], { type: 'language' }).of(tag) ?? tag;
    const autonym = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    return { name, ...(autonym && autonym !== name && autonym !== tag ? { autonym } : {}) };
  } catch {
    return { name: tag };
  }
}

/** The visible name of a feed in a list: a language feed shows its name in English and in itself. */
export function feedName(feed: FeedDescriptor, site: Site): SafeHtml {
  if (feed.filter?.kind !== 'language') return html`<bdi>${feed.name}</bdi>`;
  const { name, autonym } = languageNames(feed.name, site.language);
  return html`${name}${autonym ? html` — <bdi lang="${feed.name}" dir="${textDirection(feed.name)}">${autonym}</bdi>` : ''} <code>${feed.name}</code>`;
}

/** A feed's name as plain text, for labels: "Korea", "Uyghur (ug)". */
export function feedLabel(feed: FeedDescriptor, site: Site): string {
  return feed.filter?.kind === 'language' ? `${languageNames(feed.name, site.language).name} (${feed.name})` : feed.name;
}

/** Autodiscovery links for a feed's three formats (absolute, from the public base URL). */
export function alternatesOf(feed: FeedDescriptor, title: string, site: Site): AlternateLink[] {
  return FORMAT_LABELS.map(({ format, label, type }) => ({ type, title: `${title} (${label})`, href: `${site.baseUrl}${feedFilePath(feed, format)}` }));
}

/**
 * The three format links of a feed and a "Copy feed URL" button. The button
 * is `hidden` in the markup: copy.js reveals it, so without JavaScript the
 * page shows only what works (the links, whose URLs can be copied from the
 * browser's context menu).
 */
export function renderFeedLinks(feed: FeedDescriptor, feedLabel: string, site: Site): SafeHtml {
  const rssUrl = `${site.baseUrl}${feedFilePath(feed, 'rss')}`;
  return html`<span class="formats">${FORMAT_LABELS.map(
    ({ format, label, type }) => html`<a class="format format-${format}" href="${`${mountPath(site)}${feedFilePath(feed, format)}`}" type="${type}">${label}<span class="visually-hidden"> feed: ${feedLabel}</span></a> `,
  )}<button type="button" class="copy-url" data-url="${rssUrl}" hidden>Copy feed URL<span class="visually-hidden"> (RSS): ${feedLabel}</span></button></span>`;
}
