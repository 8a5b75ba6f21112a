import { Feed, type FeedOptions } from 'feed';
import { escapeMarkup } from '../model/escape.js';
import type { Site } from '../model/types.js';
import { PAGING_RELS, type FeedExtras } from './extras.js';
import type { ItemEntry } from './render.js';
import { appendBeforeClose, element, forXmlJsCdata, forXmlJsText, splitElements, withHexReferences } from './xml.js';

const FEED_INDENT = '    ';
const ENTRY_INDENT = '        ';
const ENTRY_OPEN = `\n${FEED_INDENT}<entry>`;
const ENTRY_CLOSE = `\n${FEED_INDENT}</entry>`;
const EPOCH = new Date(0);
/**
 * What `feed` is given for an entry's title and summary, replaced in its
 * output by a type="text" element: `feed` writes both type="html", and a
 * headline is plain text. A private-use character, never in `feed`'s own output.
 */
const TEXT_SLOT = '\uE000text\uE000';

/** The feed element around the entries, as `feed` writes it, corrected (ATOM_CORRECTIONS.feed). */
export function atomFrame(options: FeedOptions, extras: FeedExtras): { head: string; tail: string } {
  const xml = new Feed({
    ...options,
    id: forXmlJsText(options.id ?? ''),
    title: forXmlJsText(options.title),
    description: forXmlJsText(options.description ?? ''),
    generator: forXmlJsText(String(options.generator)),
    ...(options.author === undefined ? {} : { author: { ...options.author, name: forXmlJsText(options.author.name ?? '') } }),
    ...(options.image === undefined ? {} : { image: forXmlJsText(options.image) }),
    ...(options.favicon === undefined ? {} : { favicon: forXmlJsText(options.favicon) }),
    ...(options.copyright === undefined ? {} : { copyright: forXmlJsText(options.copyright) }),
    ...(extras.hub === undefined ? {} : { hub: extras.hub }),
  }).atom1();
  return ATOM_CORRECTIONS.feed(xml, options, extras);
}

/**
 * The <entry>s of these articles, as `feed` writes them, each corrected and
 * completed (ATOM_CORRECTIONS.entry); the content stays type="html". All
 * entries go through `feed` in one document, which is then cut at the entry
 * boundaries.
 */
export function atomEntries(entries: readonly ItemEntry[], site: Site): string[] {
  const batch = new Feed({ title: 'entries', link: site.link, updated: EPOCH, generator: false });
  const person = (p: { name?: string; link?: string }) => ({ name: forXmlJsText(p.name ?? ''), ...(p.link === undefined ? {} : { link: p.link }) });
  for (const { item } of entries) {
    batch.addItem({
      title: TEXT_SLOT,
      id: item.id ?? item.link,
      link: item.link,
      date: item.date,
      ...(item.published === undefined ? {} : { published: item.published }),
      ...(item.description === undefined ? {} : { description: TEXT_SLOT }),
      ...(item.content === undefined ? {} : { content: forXmlJsCdata(item.content) }),
      ...(item.author === undefined ? {} : { author: item.author.map(person) }),
      ...(item.contributor === undefined ? {} : { contributor: item.contributor.map(person) }),
    });
  }
  return splitElements(batch.atom1(), ENTRY_OPEN, ENTRY_CLOSE, entries.length).map((fragment, i) => ATOM_CORRECTIONS.entry(fragment, entries[i] as ItemEntry));
}

/**
 * Every correction to the Atom `feed` writes, in one place (each has a
 * test): what it gets wrong or cannot write, and why it matters.
 */
const ATOM_CORRECTIONS = {
  /**
   * The feed around the entries: xml:lang on <feed> (feed drops `language`
   * in Atom, and readers then guess the language); the RFC 5005 paging links
   * and the alternate link to the page for people, which feed cannot write.
   */
  feed(xml: string, options: FeedOptions, extras: FeedExtras): { head: string; tail: string } {
    const fixed = xml.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeMarkup(options.language ?? 'en')}">`);
    const close = fixed.lastIndexOf('\n</feed>');
    const links = PAGING_RELS.filter((rel) => extras[rel] !== undefined)
      .map((rel) => element(FEED_INDENT, 'link', { rel, href: extras[rel], type: 'application/atom+xml' }))
      .join('');
    const html = extras.html === undefined ? '' : element(FEED_INDENT, 'link', { rel: 'alternate', href: extras.html, type: 'text/html', title: 'Preview' });
    return { head: withHexReferences(fixed.slice(0, close) + links + html), tail: withHexReferences(fixed.slice(close)) };
  },

  /**
   * One entry: xml:lang (the entry's own language, not the feed's); title
   * and summary as type="text" (feed writes both type="html" in CDATA,
   * where python feedparser shows "AT&T <Q3>" as "AT&amp;T &lt;Q3&gt;":
   * issue 24); categories with the name as term and label and the tag's
   * feed as scheme (feed cannot escape "<" in attributes, and readers such
   * as sfeed show the term); the lead image as an enclosure link with its
   * real MIME type and length (feed guesses "image/jpg" from the file name);
   * one rel="alternate" link with hreflang per translation.
   */
  entry(fragment: string, { article, item, translations }: ItemEntry): string {
    const lead = article.images[0];
    const extra = [
      ...(item.category ?? []).map((c) => element(ENTRY_INDENT, 'category', { term: c.name, scheme: c.scheme, label: c.name })),
      ...(lead === undefined ? [] : [element(ENTRY_INDENT, 'link', { rel: 'enclosure', href: lead.url, type: lead.type, length: lead.bytes, title: lead.caption })]),
      // RFC 4287 allows one alternate per type and hreflang: the entry's own link has neither, each translation its own language.
      ...translations.map((t) => element(ENTRY_INDENT, 'link', { rel: 'alternate', type: 'text/html', hreflang: t.language, href: t.url, title: t.headline })),
    ].join('');
    const entry = fragment
      .replace('<entry>', `<entry xml:lang="${escapeMarkup(article.language)}">`)
      .replace(`<title type="html"><![CDATA[${TEXT_SLOT}]]></title>`, () => `<title type="text">${escapeMarkup(item.title)}</title>`)
      .replace(`<summary type="html"><![CDATA[${TEXT_SLOT}]]></summary>`, () => `<summary type="text">${escapeMarkup(item.description ?? '')}</summary>`);
    return withHexReferences(appendBeforeClose(entry, 'entry', extra));
  },
};
