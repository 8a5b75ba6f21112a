import { parseXml as parseWellFormed } from '../helpers/parse.js';
import { Parser as HtmlParser } from 'htmlparser2';
import { decodeEscapedHtmlText, findIllegalXml, normaliseXmlLineEnds } from './normalise.js';

/**
 * Reading rendered feeds back, the way a strict reader would, into one
 * format-neutral shape so the property tests compare every format with the
 * same expectations.
 */

/** One item as read back from a feed document. */
export interface ReadItem {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly summary: string | undefined;
  /** Absent when the item has no content element (a body that sanitises to nothing). */
  readonly contentHtml: string | undefined;
  /** Milliseconds since the epoch. */
  readonly published: number;
  readonly updated: number;
  readonly authors: readonly string[];
  /** Undefined for JSON Feed, which has no contributor field (they are in `_wirefeed.credits`). */
  readonly contributors: readonly string[];
  /** Category labels in order (RSS text, Atom label, JSON tag). */
  readonly categories: readonly string[];
  /** Atom category terms, when the format has them. */
  readonly terms?: readonly string[];
  /** The lead image as the format's enclosure (RSS: only with a known length). */
  readonly enclosure?: { readonly url: string; readonly type: string; readonly length?: number };
  /** Every image (RSS media:content, JSON attachments); undefined for Atom, which lists only the lead. */
  readonly images?: readonly { readonly url: string; readonly type: string; readonly bytes?: number }[];
  /** The item's language; for RSS, only written when it is not the channel's. */
  readonly language: string | undefined;
}

export interface ReadFeed {
  readonly title: string;
  readonly items: readonly ReadItem[];
}

type Node = Record<string, unknown>;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  const inner = (value as Node)['#text'];
  return typeof inner === 'string' ? inner : '';
}

function attr(node: unknown, name: string): string | undefined {
  const value = (node as Node | undefined)?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? (value as Node[]) : value === undefined ? [] : [value as Node];
}

/** Well-formed XML 1.0 (the shared check and parse, plus the character checks the validator skips), parsed. */
export function parseXml(xml: string): Node {
  const illegal = findIllegalXml(xml);
  if (illegal !== undefined) throw new Error(`not well-formed: ${illegal}`);
  return parseWellFormed(normaliseXmlLineEnds(xml)) as Node;
}

export function readRss(xml: string): ReadFeed {
  const doc = parseXml(xml);
  const channel = (doc.rss as Node | undefined)?.channel as Node | undefined;
  if (!channel) throw new Error('no <rss><channel>');
  return {
    title: text(channel.title),
    items: list(channel.item).map((item): ReadItem => {
      const enclosure = list(item.enclosure)[0];
      const description = item.description === undefined ? undefined : decodeEscapedHtmlText(text(item.description));
      const length = attr(enclosure, 'length');
      return {
        id: text(item.guid),
        title: text(item.title),
        link: text(list(item.link)[0]),
        summary: description,
        contentHtml: text(item['content:encoded']),
        published: Date.parse(text(item.pubDate)),
        updated: Date.parse(text(item['atom:updated'])),
        authors: list(item['dc:creator']).map(text),
        contributors: list(item['dc:contributor']).map(text),
        categories: list(item.category).map(text),
        ...(enclosure === undefined ? {} : { enclosure: { url: attr(enclosure, 'url') ?? '', type: attr(enclosure, 'type') ?? '', ...(length === undefined ? {} : { length: Number(length) }) } }),
        images: list(item['media:content']).map((m) => {
          const size = attr(m, 'fileSize');
          return { url: attr(m, 'url') ?? '', type: attr(m, 'type') ?? '', ...(size === undefined ? {} : { bytes: Number(size) }) };
        }),
        language: item['dc:language'] === undefined ? undefined : text(item['dc:language']),
      };
    }),
  };
}

export function readAtom(xml: string): ReadFeed {
  const doc = parseXml(xml);
  const feed = doc.feed as Node | undefined;
  if (!feed) throw new Error('no <feed>');
  return {
    title: text(feed.title),
    items: list(feed.entry).map((entry): ReadItem => {
      const links = list(entry.link);
      const alternate = links.find((l) => attr(l, 'rel') === undefined || attr(l, 'rel') === 'alternate');
      const enclosure = links.find((l) => attr(l, 'rel') === 'enclosure');
      const html = (node: unknown): string => {
        const value = text(node);
        return attr(node, 'type') === 'html' ? decodeEscapedHtmlText(value) : value;
      };
      const length = attr(enclosure, 'length');
      return {
        id: text(entry.id),
        title: html(entry.title),
        link: attr(alternate, 'href') ?? '',
        summary: entry.summary === undefined ? undefined : html(entry.summary),
        contentHtml: text(entry.content),
        published: Date.parse(text(entry.published)),
        updated: Date.parse(text(entry.updated)),
        authors: list(entry.author).map((a) => text(a.name)),
        contributors: list(entry.contributor).map((a) => text(a.name)),
        categories: list(entry.category).map((c) => attr(c, 'label') ?? ''),
        terms: list(entry.category).map((c) => attr(c, 'term') ?? ''),
        ...(enclosure === undefined ? {} : { enclosure: { url: attr(enclosure, 'href') ?? '', type: attr(enclosure, 'type') ?? '', ...(length === undefined ? {} : { length: Number(length) }) } }),
        language: attr(entry, 'xml:lang'),
      };
    }),
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const TOP_KEYS = new Set(['version', 'title', 'home_page_url', 'feed_url', 'description', 'user_comment', 'next_url', 'icon', 'favicon', 'authors', 'language', 'expired', 'hubs', 'items']);
const ITEM_KEYS = new Set(['id', 'url', 'external_url', 'title', 'content_html', 'content_text', 'summary', 'image', 'banner_image', 'date_published', 'date_modified', 'authors', 'tags', 'language', 'attachments']);

function checkAuthors(authors: unknown, at: string): void {
  if (!Array.isArray(authors)) throw new Error(`${at}.authors must be an array`);
  for (const a of authors as Node[]) {
    if (typeof a !== 'object' || a === null) throw new Error(`${at}.authors entries must be objects`);
    if (!['name', 'url', 'avatar'].some((k) => typeof a[k] === 'string')) throw new Error(`${at}.authors entry has no name, url or avatar`);
    for (const k of ['name', 'url', 'avatar']) if (a[k] !== undefined && typeof a[k] !== 'string') throw new Error(`${at}.authors.${k} must be a string`);
  }
}

/** The JSON Feed 1.1 rules we promise (spec: https://www.jsonfeed.org/version/1.1/); throws naming the rule broken. */
export function checkJsonFeed(feed: Node): void {
  if (feed.version !== 'https://jsonfeed.org/version/1.1') throw new Error(`version must be the 1.1 URL, got ${String(feed.version)}`);
  if (typeof feed.title !== 'string' || feed.title === '') throw new Error('title is required');
  for (const key of Object.keys(feed)) if (!TOP_KEYS.has(key) && !key.startsWith('_')) throw new Error(`unknown top-level key ${key} (extensions must start with "_")`);
  for (const key of ['home_page_url', 'feed_url', 'description', 'icon', 'favicon', 'language', 'next_url']) {
    if (feed[key] !== undefined && typeof feed[key] !== 'string') throw new Error(`${key} must be a string`);
  }
  if (feed.author !== undefined) throw new Error('deprecated top-level "author" written');
  if (feed.authors !== undefined) checkAuthors(feed.authors, 'feed');
  if (!Array.isArray(feed.items)) throw new Error('items must be an array');
  (feed.items as Node[]).forEach((item, i) => {
    const at = `items[${i}]`;
    for (const key of Object.keys(item)) if (!ITEM_KEYS.has(key) && !key.startsWith('_')) throw new Error(`${at}: unknown key ${key}`);
    if (typeof item.id !== 'string' || item.id === '') throw new Error(`${at}.id is required and must be a non-empty string`);
    if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') throw new Error(`${at} needs content_html or content_text`);
    if (item.author !== undefined) throw new Error(`${at}: deprecated "author" written`);
    if (item.authors !== undefined) checkAuthors(item.authors, at);
    for (const key of ['url', 'title', 'summary', 'image', 'language', 'content_html']) if (item[key] !== undefined && typeof item[key] !== 'string') throw new Error(`${at}.${key} must be a string`);
    for (const key of ['date_published', 'date_modified']) if (item[key] !== undefined && (typeof item[key] !== 'string' || !RFC3339.test(item[key] as string))) throw new Error(`${at}.${key} must be RFC 3339, got ${String(item[key])}`);
    if (item.tags !== undefined && (!Array.isArray(item.tags) || item.tags.some((t) => typeof t !== 'string'))) throw new Error(`${at}.tags must be an array of strings`);
    if (item.attachments !== undefined) {
      if (!Array.isArray(item.attachments)) throw new Error(`${at}.attachments must be an array`);
      for (const a of item.attachments as Node[]) {
        if (typeof a.url !== 'string' || typeof a.mime_type !== 'string') throw new Error(`${at}.attachments need url and mime_type`);
        if (a.size_in_bytes !== undefined && typeof a.size_in_bytes !== 'number') throw new Error(`${at}.attachments size_in_bytes must be a number`);
      }
    }
  });
}

export function readJson(body: string): ReadFeed & { raw: Node } {
  const feed = JSON.parse(body) as Node;
  checkJsonFeed(feed);
  return {
    raw: feed,
    title: feed.title as string,
    items: (feed.items as Node[]).map((item): ReadItem => {
      const attachments = (item.attachments as Node[] | undefined) ?? [];
      const wirefeed = item._wirefeed as { credits: { name: string; role: string }[] };
      const lead = attachments[0];
      return {
        id: item.id as string,
        title: (item.title as string | undefined) ?? '',
        link: item.url as string,
        summary: item.summary as string | undefined,
        contentHtml: item.content_html as string | undefined,
        published: Date.parse(item.date_published as string),
        updated: Date.parse(item.date_modified as string),
        authors: ((item.authors as Node[] | undefined) ?? []).map((a) => a.name as string),
        contributors: wirefeed.credits.filter((c) => c.role !== 'reporter' && c.role !== 'writer').map((c) => c.name),
        categories: (item.tags as string[] | undefined) ?? [],
        ...(lead === undefined ? {} : { enclosure: { url: lead.url as string, type: lead.mime_type as string, ...(lead.size_in_bytes === undefined ? {} : { length: lead.size_in_bytes as number }) } }),
        images: attachments.map((a) => ({ url: a.url as string, type: a.mime_type as string, ...(a.size_in_bytes === undefined ? {} : { bytes: a.size_in_bytes as number }) })),
        language: item.language as string | undefined,
      };
    }),
  };
}

const FORBIDDEN_TAGS = new Set(['script', 'style', 'object', 'embed', 'form', 'input', 'base', 'meta', 'link', 'svg', 'math', 'frame', 'frameset', 'applet']);
const URL_ATTRIBUTES = new Set(['href', 'src']);
const IFRAME_HOSTS = new Set(['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com']);

/**
 * Problems that make an HTML fragment unsafe to show: forbidden elements,
 * event handlers, style attributes, URLs that are not absolute http(s)
 * (mailto/tel allowed on links), iframes from unlisted hosts. Empty when safe.
 */
export function unsafeHtml(html: string): string[] {
  const problems: string[] = [];
  const parser = new HtmlParser(
    {
      onopentag(name, attributes) {
        if (FORBIDDEN_TAGS.has(name)) problems.push(`<${name}>`);
        for (const [key, value] of Object.entries(attributes)) {
          if (/^on/i.test(key)) problems.push(`${name}@${key}`);
          if (key === 'style' || key.includes(':')) problems.push(`${name}@${key}`);
          if (URL_ATTRIBUTES.has(key)) {
            const allowed = name === 'a' ? /^(?:https?:\/\/|mailto:|tel:)/i : /^https?:\/\//i;
            if (!allowed.test(value)) problems.push(`${name}@${key}=${JSON.stringify(value.slice(0, 60))}`);
          }
        }
        if (name === 'iframe') {
          let host = '';
          try {
            host = new URL(attributes.src ?? '').hostname;
          } catch {
            /* reported below */
          }
          if (!IFRAME_HOSTS.has(host)) problems.push(`iframe from ${JSON.stringify(host)}`);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return problems;
}
