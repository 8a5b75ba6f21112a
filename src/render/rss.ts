import { Feed, type FeedOptions } from 'feed';
import { joinNames, isAuthor } from '../map/to-feed-model.js';
import type { Article, Image, Site } from '../model/types.js';
import { PAGING_RELS, type FeedExtras } from './extras.js';
import type { ItemEntry } from './render.js';
import { appendBeforeClose, element, forXmlJsCdata, forXmlJsText, splitElements, withHexReferences } from './xml.js';
import { escapeMarkup } from '../model/escape.js';

const ROOT = '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">';
const CHANNEL_INDENT = '        ';
const ITEM_INDENT = '            ';
const MEDIA_INDENT = '                ';
const ITEM_OPEN = `\n${CHANNEL_INDENT}<item>`;
const ITEM_CLOSE = `\n${CHANNEL_INDENT}</item>`;
const EPOCH = new Date(0);

/** The channel around the items, as `feed` writes it (with the WebSub hub link), corrected (RSS_CORRECTIONS.channel). */
export function rssFrame(options: FeedOptions, extras: FeedExtras): { head: string; tail: string } {
  const xml = new Feed({
    ...options,
    title: forXmlJsText(options.title),
    description: forXmlJsText(options.description ?? ''),
    generator: forXmlJsText(String(options.generator)),
    ...(options.image === undefined ? {} : { image: forXmlJsText(options.image) }),
    ...(options.copyright === undefined ? {} : { copyright: forXmlJsText(options.copyright) }),
    ...(extras.hub === undefined ? {} : { hub: extras.hub }),
  }).rss2();
  return RSS_CORRECTIONS.channel(xml, extras);
}

/**
 * The <item>s of these articles, as `feed` writes them, each corrected and
 * completed (RSS_CORRECTIONS.item); `feed` is given the real image MIME
 * type and length for <enclosure>, and only when the length is known (RSS
 * requires a positive one). All items go through `feed` in one document,
 * which is then cut at the item boundaries.
 */
export function rssItems(entries: readonly ItemEntry[], site: Site): string[] {
  const batch = new Feed({ title: 'items', link: site.link, updated: EPOCH, generator: false });
  for (const { article, item } of entries) {
    const lead = article.images[0];
    batch.addItem({
      // Written as text afterwards: a title is plain text, and in CDATA its "&" and "<" draw the validator's CharacterData warning.
      title: TITLE_PLACEHOLDER,
      guid: forXmlJsText(item.id ?? item.link),
      link: item.link,
      date: item.date,
      ...(item.published === undefined ? {} : { published: item.published }),
      // Validators want a <description> before content:encoded; without a summary, an excerpt of the body stands in.
      description: forXmlJsCdata(escapeMarkup(item.description ?? excerpt(article.body))),
      ...(item.content === undefined ? {} : { content: forXmlJsCdata(item.content) }),
      category: (item.category ?? []).map((c) => ({ name: forXmlJsText(c.name ?? '') })),
      ...(lead?.bytes ? { enclosure: { url: lead.url, type: lead.type, length: lead.bytes } } : {}),
    });
  }
  return splitElements(batch.rss2(), ITEM_OPEN, ITEM_CLOSE, entries.length).map((fragment, i) => RSS_CORRECTIONS.item(fragment, entries[i] as ItemEntry, site));
}

/**
 * Every correction to the RSS `feed` writes, in one place (each has a
 * test): what it gets wrong or cannot write, and why it matters.
 */
const RSS_CORRECTIONS = {
  /**
   * The channel around the items: every namespace we use declared once on
   * <rss> (feed cannot declare media:, and a namespace declared per element
   * is repeated in every item); the RFC 5005 paging links and the alternate
   * link to the page for people, which feed does not write.
   */
  channel(xml: string, extras: FeedExtras): { head: string; tail: string } {
    const fixed = xml.replace(/<rss [^>]*>/, ROOT);
    const close = fixed.lastIndexOf('\n    </channel>');
    const links = PAGING_RELS.filter((rel) => extras[rel] !== undefined)
      .map((rel) => element(CHANNEL_INDENT, 'atom:link', { rel, href: extras[rel], type: 'application/rss+xml' }))
      .join('');
    const html = extras.html === undefined ? '' : element(CHANNEL_INDENT, 'atom:link', { rel: 'alternate', href: extras.html, type: 'text/html' });
    return { head: withHexReferences(fixed.slice(0, close) + links + html), tail: withHexReferences(fixed.slice(close)) };
  },

  /**
   * One item: the title as escaped text, not CDATA (in CDATA its "&" and
   * "<" draw the W3C validator's CharacterData warning); atom:updated for
   * the modified date (pubDate is the publication date); one dc:creator
   * with the joined byline and dc:contributor per other credit (feed writes
   * <author>, which RSS reserves for an e-mail address); dc:language when
   * not the channel's; Media RSS for every image; an atom:link
   * rel="alternate" with hreflang per translation.
   */
  item(fragment: string, { article, item, translations }: ItemEntry, site: Site): string {
    const extra = [
      element(ITEM_INDENT, 'atom:updated', {}, { text: article.updated.toISOString() }),
      ...byline(article),
      ...article.credits.filter((c) => !isAuthor(c)).map((c) => element(ITEM_INDENT, 'dc:contributor', {}, { text: c.name })),
      ...(article.language === site.language ? [] : [element(ITEM_INDENT, 'dc:language', {}, { text: article.language })]),
      ...article.images.map(mediaContent),
      ...translations.map((t) => element(ITEM_INDENT, 'atom:link', { rel: 'alternate', type: 'text/html', hreflang: t.language, href: t.url, title: t.headline })),
    ].join('');
    const titled = fragment.replace(`<title><![CDATA[${TITLE_PLACEHOLDER}]]></title>`, () => `<title>${escapeMarkup(item.title)}</title>`);
    return withHexReferences(appendBeforeClose(titled, 'item', extra));
  },
};

/** Stands for an item's title in what `feed` writes, replaced by the escaped title (no CDATA). */
const TITLE_PLACEHOLDER = 'wirefeed:title';

/**
 * One dc:creator holding every reporter and writer ("Min-jun Park and Daniel
 * Ortega-Smith"): readers that show one author string take the last
 * dc:creator of several, which would drop the reporter. Atom, JSON Feed and
 * _wirefeed keep one entry per person.
 */
function byline(article: Article): string[] {
  const names = article.credits.filter(isAuthor).map((c) => c.name);
  return names.length === 0 ? [] : [element(ITEM_INDENT, 'dc:creator', {}, { text: joinNames(names) })];
}

const EXCERPT_LENGTH = 280;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0' };

/** Plain text of the first EXCERPT_LENGTH characters of a (sanitised) body, cut at a word, with "…" when cut. */
export function excerpt(html: string): string {
  const textOnly = html
    .slice(0, EXCERPT_LENGTH * 20)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/gu, ' ')
    .trim();
  if (textOnly.length <= EXCERPT_LENGTH) return textOnly;
  const cut = textOnly.slice(0, EXCERPT_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function mediaContent(image: Image): string {
  const children = [
    ...(image.caption === undefined ? [] : [element(MEDIA_INDENT, 'media:description', { type: 'plain' }, { text: image.caption })]),
    ...(image.credit === undefined ? [] : [element(MEDIA_INDENT, 'media:credit', {}, { text: image.credit })]),
    ...(image.thumbnail === undefined ? [] : [element(MEDIA_INDENT, 'media:thumbnail', { url: image.thumbnail })]),
  ];
  return element(
    ITEM_INDENT,
    'media:content',
    // Media RSS wants a positive fileSize; a record's `bytes: 0` means unknown here.
    { url: image.url, medium: 'image', type: image.type, width: image.width, height: image.height, fileSize: image.bytes || undefined },
    { children },
  );
}
