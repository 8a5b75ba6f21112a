import { Create, Delete, Document, Hashtag, LanguageString, Note, PUBLIC_COLLECTION, Tombstone, Update, type Activity } from '@fedify/fedify';
import { Temporal } from '@js-temporal/polyfill';
import { formatCreditLine } from '../map/to-feed-model.js';
import { escapeMarkup } from '../model/escape.js';
import { feedPath } from '../model/feed-filter.js';
import { slugify } from '../model/slug.js';
import type { Article, Site } from '../model/types.js';
import type { Verb } from './state.js';

/** The URIs a story's object and activities are built from (the federation's, so they match its routes). */
export interface StoryUris {
  readonly actor: URL;
  readonly followers: URL;
  readonly object: URL;
}

const instant = (date: Date): Temporal.Instant => Temporal.Instant.fromEpochMilliseconds(date.getTime());

/**
 * A story as a `Note`, not an `Article`: Mastodon shows an Article only as
 * its name and a link, and takes an Article's `summary` for a content
 * warning; a Note shows in full: the headline in bold, the summary, the
 * credit line, the link (with its preview card), the lead image with its
 * alt text, and the tags as hashtags. Threads and Flipboard render Notes as
 * well. The language goes in contentMap (Mastodon reads it from there).
 */
export function storyNote(article: Article, site: Site, uris: StoryUris): Note {
  const lines = [`<p><strong>${escapeMarkup(article.headline)}</strong></p>`];
  if (article.summary !== undefined) lines.push(`<p>${escapeMarkup(article.summary)}</p>`);
  if (article.credits.length > 0) lines.push(`<p>${escapeMarkup(formatCreditLine(article.credits, article.language))}</p>`);
  lines.push(`<p><a href="${escapeMarkup(article.url)}">${escapeMarkup(article.url)}</a></p>`);
  const tags = article.tags.map((tag) => ({ name: `#${tag.replace(/[^\p{L}\p{N}_]/gu, '')}`, href: new URL(`${site.baseUrl}${feedPath({ kind: 'tag', slug: slugify(tag) })}/`) }));
  const hashtags = tags.filter((tag) => tag.name.length > 1);
  if (hashtags.length > 0) lines.push(`<p>${hashtags.map((tag) => `<a href="${escapeMarkup(tag.href.href)}" class="mention hashtag" rel="tag">${escapeMarkup(tag.name)}</a>`).join(' ')}</p>`);
  const content = lines.join('');
  return new Note({
    id: uris.object,
    attribution: uris.actor,
    to: PUBLIC_COLLECTION,
    cc: uris.followers,
    content: new LanguageString(content, article.language),
    url: new URL(article.url),
    published: instant(article.published),
    ...(article.updated.getTime() > article.published.getTime() ? { updated: instant(article.updated) } : {}),
    attachments: article.images.slice(0, 4).map(
      (image) =>
        new Document({
          url: new URL(image.url),
          mediaType: image.type,
          ...(image.alt === undefined ? {} : { name: image.alt }),
          ...(image.width === undefined ? {} : { width: image.width }),
          ...(image.height === undefined ? {} : { height: image.height }),
        }),
    ),
    tags: hashtags.map((tag) => new Hashtag({ name: tag.name, href: tag.href })),
  });
}

/**
 * The activity telling followers of a story: Create when it is published,
 * Update after an edit, Delete when it is retracted (or turned back into a
 * draft or an embargoed story). `stamp` (the story's updated time) makes
 * each announcement's id its own.
 */
export function storyActivity(verb: Verb, article: Article | undefined, site: Site, uris: StoryUris, stamp: string): Activity | undefined {
  const id = new URL(`${uris.object.href}#${verb.toLowerCase()}-${encodeURIComponent(stamp)}`);
  const addressing = { id, actor: uris.actor, to: PUBLIC_COLLECTION, cc: uris.followers };
  if (verb === 'Delete') return new Delete({ ...addressing, object: new Tombstone({ id: uris.object }) });
  if (article === undefined) return undefined;
  const object = storyNote(article, site, uris);
  return verb === 'Create' ? new Create({ ...addressing, object, published: instant(article.published) }) : new Update({ ...addressing, object, updated: instant(article.updated) });
}
