import { Feed, type FeedOptions, type Item } from 'feed';
import { isAuthor } from '../map/to-feed-model.js';
import type { Article, Site } from '../model/types.js';
import type { FeedExtras } from './extras.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

type JsonObject = Record<string, unknown>;

/**
 * The top-level JSON Feed object, as `feed` writes it, corrected to JSON
 * Feed 1.1: the 1.1 version string, `authors` instead of the deprecated
 * `author`, `language`, `favicon`, WebSub `hubs` and `next_url`.
 */
export function jsonTop(options: FeedOptions, site: Site, extras: FeedExtras): JsonObject {
  const top = JSON.parse(new Feed(options).json1()) as JsonObject;
  const { author, items: _items, ...rest } = top as { author?: { name?: string; url?: string } } & JsonObject;
  return {
    ...rest,
    version: JSON_FEED_VERSION,
    ...(site.logo === undefined ? {} : { icon: site.logo }),
    ...(site.icon === undefined ? {} : { favicon: site.icon }),
    language: site.language,
    ...(author === undefined ? {} : { authors: [author] }),
    ...(extras.hub === undefined ? {} : { hubs: [{ type: 'WebSub', url: extras.hub }] }),
    ...(extras.next === undefined ? {} : { next_url: extras.next }),
  };
}

/**
 * One item, as `feed` writes it, corrected to JSON Feed 1.1 and completed:
 * every author in `authors` (feed keeps only the first, in the deprecated
 * `author`), `language`, every image in `attachments` with its MIME type
 * and size, and the newsroom's structured data — credits with roles and
 * organizations, image captions and credits, service, section, time zone —
 * in the `_wirefeed` extension, so nothing is lost.
 */
export function jsonItem(article: Article, item: Item, site: Site): JsonObject {
  const single = new Feed({ title: 'item', link: site.link, updated: item.date, generator: false });
  // feed's json1() crashes on an empty author list and keeps only the first: authors are written below.
  single.addItem({ ...item, author: undefined, contributor: undefined });
  const written = (JSON.parse(single.json1()) as { items: JsonObject[] }).items[0] ?? {};
  const authors = article.credits.filter(isAuthor).map((c, i) => ({ name: c.name, url: item.author?.[i]?.link }));
  return {
    ...written,
    // feed writes `summary` only next to non-empty content: a body the sanitiser emptied would lose it.
    ...(item.description === undefined ? {} : { summary: item.description }),
    language: article.language,
    ...(authors.length === 0 ? {} : { authors }),
    ...(article.images.length === 0
      ? {}
      : {
          attachments: article.images.map((image) => ({
            url: image.url,
            mime_type: image.type,
            ...(image.caption === undefined ? {} : { title: image.caption }),
            ...(image.bytes === undefined ? {} : { size_in_bytes: image.bytes }),
          })),
        }),
    _wirefeed: {
      credits: article.credits.map((c) => ({ name: c.name, role: c.role, slug: c.slug, ...(c.organization === undefined ? {} : { organization: c.organization }) })),
      images: article.images,
      ...(article.service === undefined ? {} : { service: article.service }),
      ...(article.section === undefined ? {} : { section: article.section }),
      ...(article.timezone === undefined ? {} : { timezone: article.timezone }),
    },
  };
}
