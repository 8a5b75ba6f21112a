import { Feed, type FeedOptions, type Item } from 'feed';
import { escapeMarkup } from '../model/escape.js';
import type { Article, Site } from '../model/types.js';
import { PAGING_RELS, type FeedExtras } from './extras.js';
import { appendBeforeClose, element, forXmlJsCdata, forXmlJsText, splitElements, withHexReferences } from './xml.js';

const FEED_INDENT = '    ';
const ENTRY_INDENT = '        ';
const ENTRY_OPEN = `\n${FEED_INDENT}<entry>`;
const ENTRY_CLOSE = `\n${FEED_INDENT}</entry>`;
const EPOCH = new Date(0);

/**
 * The feed element around the entries, as `feed` writes it, corrected:
 * xml:lang on <feed> (feed drops `language` in Atom), and the paging and
 * alternate links feed does not write.
 */
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
  const fixed = xml.replace('<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeMarkup(options.language ?? 'en')}">`);
  const close = fixed.lastIndexOf('\n</feed>');
  const links = PAGING_RELS.filter((rel) => extras[rel] !== undefined)
    .map((rel) => element(FEED_INDENT, 'link', { rel, href: extras[rel], type: 'application/atom+xml' }))
    .join('');
  const html = extras.html === undefined ? '' : element(FEED_INDENT, 'link', { rel: 'alternate', href: extras.html, type: 'text/html', title: 'Preview' });
  return { head: withHexReferences(fixed.slice(0, close) + links + html), tail: withHexReferences(fixed.slice(close)) };
}

/**
 * The <entry>s of these articles, as `feed` writes them, corrected and
 * completed: xml:lang per entry; title and summary as HTML-escaped text
 * (feed declares them type="html"); categories with term, scheme and label
 * written by us (feed cannot escape "<" in attributes); the lead image as an
 * enclosure link with its real MIME type and length (feed guesses
 * "image/jpg" from the file name and ignores the type). All entries go
 * through `feed` in one document, which is then cut at the entry boundaries.
 */
export function atomEntries(entries: readonly { article: Article; item: Item }[], site: Site): string[] {
  const batch = new Feed({ title: 'entries', link: site.link, updated: EPOCH, generator: false });
  const person = (p: { name?: string; link?: string }) => ({ name: forXmlJsText(p.name ?? ''), ...(p.link === undefined ? {} : { link: p.link }) });
  for (const { item } of entries) {
    batch.addItem({
      title: forXmlJsCdata(escapeMarkup(item.title)),
      id: item.id ?? item.link,
      link: item.link,
      date: item.date,
      ...(item.published === undefined ? {} : { published: item.published }),
      ...(item.description === undefined ? {} : { description: forXmlJsCdata(escapeMarkup(item.description)) }),
      ...(item.content === undefined ? {} : { content: forXmlJsCdata(item.content) }),
      ...(item.author === undefined ? {} : { author: item.author.map(person) }),
      ...(item.contributor === undefined ? {} : { contributor: item.contributor.map(person) }),
    });
  }
  return splitElements(batch.atom1(), ENTRY_OPEN, ENTRY_CLOSE, entries.length).map((fragment, i) => {
    const { article, item } = entries[i] as { article: Article; item: Item };
    const lead = article.images[0];
    const extra = [
      ...(item.category ?? []).map((c) => element(ENTRY_INDENT, 'category', { term: c.term, scheme: c.scheme, label: c.name })),
      ...(lead === undefined ? [] : [element(ENTRY_INDENT, 'link', { rel: 'enclosure', href: lead.url, type: lead.type, length: lead.bytes, title: lead.caption })]),
    ].join('');
    const entry = fragment.replace('<entry>', `<entry xml:lang="${escapeMarkup(article.language)}">`);
    return withHexReferences(appendBeforeClose(entry, 'entry', extra));
  });
}
