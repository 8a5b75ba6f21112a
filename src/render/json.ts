import { Feed, type FeedOptions } from 'feed';
import { isAuthor } from '../map/to-feed-model.js';
import type { Site } from '../model/types.js';
import type { FeedExtras } from './extras.js';
import type { ItemEntry } from './render.js';

const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

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
 * One item, written from `feed`'s item model the way its json1() writes an
 * item (same fields, same order), corrected to JSON Feed 1.1 and completed:
 * every author in `authors` (feed keeps only the first, in the deprecated
 * `author`, and crashes on an empty list), `summary` even when the body is
 * empty, `language`, every image in `attachments` with its MIME type and
 * size, and the newsroom's structured data — credits with roles and
 * organizations, image captions and credits, service, section, time zone —
 * in the `_wirefeed` extension, so nothing is lost, with the article's
 * translations (language, url, title). Built as an object
 * rather than by parsing json1()'s text: a feed is stringified once.
 */
export function jsonItem({ article, item, translations }: ItemEntry): JsonObject {
  const authors = article.credits.filter(isAuthor).map((c, i) => ({ name: c.name, url: item.author?.[i]?.link }));
  const image = typeof item.image === 'string' ? item.image : item.image?.url;
  return {
    id: item.id,
    // JSON Feed 1.1 wants content_html or content_text: a story without a body carries its summary (or nothing) as text.
    ...(item.content === undefined ? { content_text: item.description ?? '' } : { content_html: item.content }),
    url: item.link,
    title: item.title,
    ...(item.description === undefined ? {} : { summary: item.description }),
    ...(image === undefined ? {} : { image }),
    date_modified: item.date.toISOString(),
    ...(item.published === undefined ? {} : { date_published: item.published.toISOString() }),
    ...(item.category === undefined ? {} : { tags: item.category.flatMap((c) => (c.name ? [c.name] : [])) }),
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
      ...(translations.length === 0 ? {} : { translations: translations.map((t) => ({ language: t.language, url: t.url, title: t.headline })) }),
    },
  };
}
