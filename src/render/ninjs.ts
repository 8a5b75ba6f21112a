import { formatCreditLine, feedId, itemId, type FeedMeta } from '../map/to-feed-model.js';
import { feedPath } from '../model/feed-filter.js';
import { slugify } from '../model/slug.js';
import type { TranslationLink } from '../model/translations.js';
import type { Article, Image, Site } from '../model/types.js';
import { PAGING_RELS, type FeedExtras } from './extras.js';

/**
 * IPTC ninjs 3.1 ("News in JSON"). The specification defines no media type
 * of its own: a ninjs document is JSON (RFC 8259), so it is served as
 * application/json. Every object written here keeps to the 3.1 schema,
 * which allows no properties beyond its own (unevaluatedProperties: false):
 * what ninjs has no place for is left out rather than invented.
 */
export const NINJS_MEDIA_TYPE = 'application/json; charset=utf-8';
const NINJS_VERSION = '3.1';
const NINJS_SCHEMA = 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#';
const STANDARD = { name: 'ninjs', version: NINJS_VERSION, schema: NINJS_SCHEMA } as const;

type JsonObject = Record<string, unknown>;

/**
 * A URL as an RFC 3986 URI, which ninjs requires (format "uri"): records
 * hold WHATWG URLs, which may keep characters RFC 3986 forbids after the
 * host ("]", "|", "^", a "%" not starting an escape); those are
 * percent-encoded, so the URL still leads to the same resource.
 */
export function toUri(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const origin = `${parsed.protocol}//${parsed.username === '' ? '' : `${parsed.username}${parsed.password === '' ? '' : `:${parsed.password}`}@`}${parsed.host}`;
  const rest = parsed.href.startsWith(origin) ? parsed.href.slice(origin.length) : parsed.href.slice(parsed.href.indexOf(parsed.host) + parsed.host.length);
  const encoded = rest.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/gu, (ch) => encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  return origin + encoded;
}

/** The translations of an article as associations: enough for a partner to find and fetch each one. */
function translationAssociation(link: TranslationLink, site: Site): JsonObject {
  return {
    name: `translation-${link.language.toLowerCase()}`,
    uri: itemId(link, site),
    rel: 'translation',
    type: 'text',
    representationType: 'partial',
    language: link.language,
    headlines: [{ role: 'main', contentType: 'text/plain', value: link.headline }],
    renditions: [
      { name: 'web', href: toUri(link.url), contentType: 'text/html' },
      { name: 'ninjs', href: `${site.baseUrl}/articles/${link.id}.ninjs.json`, contentType: 'application/json' },
    ],
  };
}

/** An image as a picture association: its renditions (the image and its thumbnail), caption and photo credit. */
function imageAssociation(image: Image, index: number): JsonObject {
  const descriptions = [
    ...(image.caption === undefined ? [] : [{ role: 'caption', contentType: 'text/plain', value: image.caption }]),
    ...(image.alt === undefined ? [] : [{ role: 'alt', contentType: 'text/plain', value: image.alt }]),
  ];
  return {
    name: index === 0 ? 'lead-image' : `image-${index + 1}`,
    uri: toUri(image.url),
    rel: index === 0 ? 'lead-image' : 'image',
    type: 'picture',
    ...(image.credit === undefined ? {} : { by: image.credit }),
    ...(image.rights?.terms === undefined ? {} : { usageTerms: image.rights.terms }),
    ...(descriptions.length === 0 ? {} : { descriptions }),
    renditions: [
      {
        name: 'original',
        href: toUri(image.url),
        contentType: image.type,
        ...(image.width === undefined ? {} : { width: image.width }),
        ...(image.height === undefined ? {} : { height: image.height }),
        ...(image.bytes === undefined ? {} : { sizeInBytes: image.bytes }),
      },
      ...(image.thumbnail === undefined ? [] : [{ name: 'thumbnail', href: toUri(image.thumbnail) }]),
    ],
  };
}

/**
 * One article as a ninjs news item (type "text"): headline, summary and
 * HTML body; `by` is the credit line and `people` each credited person
 * with their role; first and last version dates; section and tags as
 * subjects; the site's copyright; images and translations as associations;
 * the article's page as the "web" rendition.
 */
function ninjsItem(article: Article, translations: readonly TranslationLink[], site: Site): JsonObject {
  const subjects = [
    ...(article.section === undefined ? [] : [{ name: article.section, rel: 'section', literal: slugify(article.section), uri: `${site.baseUrl}${feedPath({ kind: 'section', slug: slugify(article.section) })}/` }]),
    ...article.tags.map((tag) => ({ name: tag, rel: 'tag', literal: slugify(tag), uri: `${site.baseUrl}${feedPath({ kind: 'tag', slug: slugify(tag) })}/` })),
  ];
  const associations = [...article.images.map(imageAssociation), ...translations.map((t) => translationAssociation(t, site))];
  return {
    uri: itemId(article, site),
    type: 'text',
    representationType: 'full',
    firstCreated: article.published.toISOString(),
    versionCreated: article.updated.toISOString(),
    pubStatus: 'usable',
    ...(site.copyright === undefined ? {} : { copyrightHolder: site.title, copyrightNotice: site.copyright }),
    language: article.language,
    headlines: [{ role: 'main', contentType: 'text/plain', value: article.headline }],
    ...(article.summary === undefined ? {} : { descriptions: [{ role: 'summary', contentType: 'text/plain', value: article.summary }] }),
    ...(article.body === '' ? {} : { bodies: [{ role: 'main', contentType: 'text/html', value: article.body }] }),
    ...(article.credits.length === 0 ? {} : { by: formatCreditLine(article.credits, article.language) }),
    ...(article.credits.length === 0
      ? {}
      : { people: article.credits.map((c) => ({ name: c.name, rel: c.role, literal: c.slug, uri: `${site.baseUrl}${feedPath({ kind: 'author', slug: c.slug })}/` })) }),
    ...(subjects.length === 0 ? {} : { subjects }),
    renditions: [{ name: 'web', href: toUri(article.url), contentType: 'text/html' }],
    ...(associations.length === 0 ? {} : { associations }),
  };
}

/** One article as an association of a feed document: named by its id, rel "item". */
export function ninjsFeedItem(article: Article, translations: readonly TranslationLink[], site: Site): JsonObject {
  return { name: `item-${article.id}`, rel: 'item', ...ninjsItem(article, translations, site) };
}

/** A single article's ninjs document: the item, declaring the standard it follows. */
export function ninjsArticleDocument(article: Article, translations: readonly TranslationLink[], site: Site): string {
  const { uri, ...rest } = ninjsItem(article, translations, site);
  return JSON.stringify({ uri, standard: STANDARD, ...rest }, null, 2);
}

/**
 * A feed as one ninjs object: a "composite" whose associations are the
 * items, newest first, each a full news item (rel "item"). ninjs has no
 * paging links, so the RFC 5005 pages are renditions named first, next,
 * previous and last: URLs of other parts of the same collection.
 */
export function ninjsFeedDocument(site: Site, meta: FeedMeta, extras: FeedExtras, items: readonly JsonObject[]): string {
  const pages = PAGING_RELS.filter((rel) => extras[rel] !== undefined).map((rel) => ({ name: rel, href: extras[rel], contentType: 'application/json' }));
  return JSON.stringify(
    {
      uri: feedId(site, meta),
      standard: STANDARD,
      type: 'composite',
      representationType: 'full',
      versionCreated: meta.updated.toISOString(),
      ...(site.copyright === undefined ? {} : { copyrightHolder: site.title, copyrightNotice: site.copyright }),
      language: site.language,
      headlines: [{ role: 'main', contentType: 'text/plain', value: meta.title }],
      ...(meta.description === '' ? {} : { descriptions: [{ role: 'summary', contentType: 'text/plain', value: meta.description }] }),
      renditions: [
        { name: 'self', href: meta.links.ninjs, contentType: 'application/json' },
        ...(extras.html === undefined ? [] : [{ name: 'web', href: extras.html, contentType: 'text/html' }]),
        ...pages,
      ],
      ...(items.length === 0 ? {} : { associations: items }),
    },
    null,
    2,
  );
}
