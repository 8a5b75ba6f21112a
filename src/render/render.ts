import { createHash } from 'node:crypto';
import type { FeedOptions, Item } from 'feed';
import { toFeedItem, toFeedOptions, type FeedMeta } from '../map/to-feed-model.js';
import type { TranslationLink } from '../model/translations.js';
import { FEED_FILE_NAMES, type Article, type DocumentFormat, type FeedFormat, type Site } from '../model/types.js';
import { atomEntries, atomFrame } from './atom.js';
import type { FeedExtras } from './extras.js';
import { jsonItem, jsonTop } from './json.js';
import { NINJS_MEDIA_TYPE, ninjsFeedDocument, ninjsFeedItem } from './ninjs.js';
import { rssFrame, rssItems } from './rss.js';

/** Everything one feed document is made from. */
export interface RenderInput {
  readonly site: Site;
  readonly meta: FeedMeta;
  /** In feed order. */
  readonly articles: readonly Article[];
  readonly extras?: FeedExtras;
  /** The translations each article links to (model/translations.ts visibleSiblings); none when absent. */
  readonly translations?: (article: Article) => readonly TranslationLink[];
}

/** What a format renders one item from. */
export interface ItemEntry {
  readonly article: Article;
  readonly item: Item;
  readonly translations: readonly TranslationLink[];
}

const NO_TRANSLATIONS: readonly TranslationLink[] = [];

interface FormatRenderer<Fragment> {
  readonly mediaType: string;
  /** File name of the feed in a feed folder: /rss.xml, /sections/korea/rss.xml. */
  readonly fileName: string;
  /** Renders the items of several articles at once (one pass through `feed`), in order. */
  items(entries: readonly ItemEntry[], site: Site): Fragment[];
  document(input: RenderInput, fragments: readonly Fragment[]): string;
  /** A rendered item as text a store keeps (FragmentStore), and back; load(save(f)) renders the same bytes as f. */
  readonly stored: { save(fragment: Fragment): string; load(text: string): Fragment };
}

/** XML items are text already. */
const AS_TEXT = { save: (fragment: string) => fragment, load: (text: string) => text };
/** JSON items are objects: kept as JSON text (key order and values survive, so the document is the same bytes). */
const AS_JSON = { save: (fragment: Record<string, unknown>) => JSON.stringify(fragment), load: (text: string) => JSON.parse(text) as Record<string, unknown> };

/** An XML format: its items go between the head and the tail of the document `frame` writes around them. */
function framed(
  mediaType: string,
  fileName: string,
  items: FormatRenderer<string>['items'],
  frame: (options: FeedOptions, extras: FeedExtras) => { head: string; tail: string },
): FormatRenderer<string> {
  return {
    mediaType,
    fileName,
    items,
    stored: AS_TEXT,
    document(input, fragments) {
      const { head, tail } = frame(toFeedOptions(input.site, input.meta), input.extras ?? {});
      return head + fragments.join('') + tail;
    },
  };
}

const rss = framed('application/rss+xml; charset=utf-8', FEED_FILE_NAMES.rss, rssItems, rssFrame);
const atom = framed('application/atom+xml; charset=utf-8', FEED_FILE_NAMES.atom, atomEntries, atomFrame);

const json: FormatRenderer<Record<string, unknown>> = {
  mediaType: 'application/feed+json; charset=utf-8',
  fileName: FEED_FILE_NAMES.json,
  items: (entries) => entries.map((entry) => jsonItem(entry)),
  stored: AS_JSON,
  document(input, fragments) {
    return JSON.stringify({ ...jsonTop(toFeedOptions(input.site, input.meta), input.site, input.extras ?? {}), items: fragments }, null, 2);
  },
};

const ninjs: FormatRenderer<Record<string, unknown>> = {
  mediaType: NINJS_MEDIA_TYPE,
  fileName: FEED_FILE_NAMES.ninjs,
  items: (entries, site) => entries.map(({ article, translations }) => ninjsFeedItem(article, translations, site)),
  stored: AS_JSON,
  document: (input, fragments) => ninjsFeedDocument(input.site, input.meta, input.extras ?? {}, fragments),
};

/** The format table: every per-format difference lives here, none in the routes. */
export const FORMATS: { readonly [F in DocumentFormat]: FormatRenderer<F extends 'json' | 'ninjs' ? Record<string, unknown> : string> } = { rss, atom, json, ninjs };
/** The formats feed readers take (what WebSub announces, what the pages offer). */
export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];
/** Every format each feed is served in: the reader formats, then ninjs for content partners' systems. */
export const SERVED_FORMATS: readonly DocumentFormat[] = [...FEED_FORMATS, 'ninjs'];

/** A rendered item and the translation links it was rendered with. */
interface CachedFragment {
  readonly links: string;
  readonly fragment: unknown;
}

/**
 * Rendered items, kept per site and article object. Articles are immutable
 * (a changed record is a new object), so an entry is valid for as long as
 * the object lives and is collected with it — unless the article's
 * translation links changed (a sibling added, renamed or released), which
 * the entry's `links` key catches. One per app (createApp makes it): two
 * apps in one process never share rendered items.
 */
export class RenderCache {
  readonly fragments = new WeakMap<Site, { [F in DocumentFormat]: WeakMap<Article, CachedFragment> }>();
  /** Mapped items, shared by the formats: an article is mapped once, whichever format asks first. */
  readonly mapped = new WeakMap<Site, WeakMap<Article, Item>>();
  /** fragmentKey per site and format: the site hashed once, not per request. */
  private readonly keys = new WeakMap<Site, Readonly<Record<DocumentFormat, string>>>();

  /** fragmentKey(site, format), remembered. */
  keyOf(site: Site, format: DocumentFormat): string {
    let keys = this.keys.get(site);
    if (keys === undefined) {
      keys = Object.fromEntries(SERVED_FORMATS.map((each) => [each, fragmentKey(site, each)])) as Record<DocumentFormat, string>;
      this.keys.set(site, keys);
    }
    return keys[format];
  }

  feedItem(article: Article, site: Site): Item {
    let bySite = this.mapped.get(site);
    if (!bySite) {
      bySite = new WeakMap();
      this.mapped.set(site, bySite);
    }
    let item = bySite.get(article);
    if (item === undefined) {
      item = toFeedItem(article, site);
      bySite.set(article, item);
    }
    return item;
  }

  forFormat(site: Site, format: DocumentFormat): WeakMap<Article, CachedFragment> {
    let bySite = this.fragments.get(site);
    if (!bySite) {
      bySite = Object.fromEntries(SERVED_FORMATS.map((format) => [format, new WeakMap()])) as { [F in DocumentFormat]: WeakMap<Article, CachedFragment> };
      this.fragments.set(site, bySite);
    }
    return bySite[format];
  }
}

function linksKey(links: readonly TranslationLink[]): string {
  let key = '';
  for (const link of links) key += `${link.id}\n${link.language}\n${link.url}\n${link.headline}\n`;
  return key;
}

/**
 * The version of what items render to. Bump it with any change to the
 * bytes of an item in any format (the renderers, map/, the sanitiser's
 * settings, the `feed` library): stored fragments (FragmentStore) made by
 * an older renderer are then left unused. test/render/item-fragments.test.ts
 * fails when the items' bytes change and this has not moved.
 */
export const ITEM_RENDER_VERSION = 1;

/**
 * What a stored item of `format` is valid for: this renderer version and
 * these site settings (every field of site.json with SITE_URL applied,
 * whether or not an item reads it today, so a new use of a setting cannot
 * make a stale fragment look current).
 */
export function fragmentKey(site: Site, format: DocumentFormat): string {
  return createHash('sha256').update(JSON.stringify({ version: ITEM_RENDER_VERSION, format, site })).digest('base64url').slice(0, 22);
}

/** A rendered item in its stored form (FragmentStore's), for the article it was rendered from. */
export interface RenderedItem {
  readonly article: Article;
  readonly fragment: string;
}

function fragmentsFor(format: DocumentFormat, input: RenderInput, renderCache: RenderCache, onRendered?: (article: Article, fragment: unknown) => void): unknown[] {
  const { articles, site } = input;
  const cache = renderCache.forFormat(site, format);
  const linksOf = articles.map((article) => input.translations?.(article) ?? NO_TRANSLATIONS);
  const keys = linksOf.map(linksKey);
  const missing = articles.flatMap((article, i) => (cache.get(article)?.links === keys[i] ? [] : [i]));
  if (missing.length > 0) {
    const renderer = FORMATS[format] as FormatRenderer<unknown>;
    const entries = missing.map((i) => {
      const article = articles[i] as Article;
      return { article, item: renderCache.feedItem(article, site), translations: linksOf[i] as readonly TranslationLink[] };
    });
    const rendered = renderer.items(entries, site);
    missing.forEach((i, n) => {
      cache.set(articles[i] as Article, { links: keys[i] as string, fragment: rendered[n] });
      if (keys[i] === '') onRendered?.(articles[i] as Article, rendered[n]);
    });
  }
  return articles.map((article) => cache.get(article)?.fragment);
}

/**
 * Renders one feed document. Same input, same bytes: nothing here reads
 * the clock. Items already rendered into `cache` are reused; without one,
 * every item is rendered.
 */
export function renderFeed(format: DocumentFormat, input: RenderInput, cache: RenderCache = new RenderCache()): string {
  const renderer = FORMATS[format] as FormatRenderer<unknown>;
  return renderer.document(input, fragmentsFor(format, input, cache));
}

/**
 * renderFeed, taking items from `stored` (a FragmentStore's, in the
 * format's stored form) where an article has no translation links (links
 * change with other articles, which a stored item would not see); returns
 * the document and the items it rendered that may be stored. The bytes are
 * renderFeed's.
 */
export function renderFeedWithStored(format: DocumentFormat, input: RenderInput, cache: RenderCache, stored: ReadonlyMap<Article, string>): { body: string; rendered: RenderedItem[] } {
  const renderer = FORMATS[format] as FormatRenderer<unknown>;
  const items = cache.forFormat(input.site, format);
  for (const [article, text] of stored) {
    if (!items.has(article) && (input.translations?.(article) ?? NO_TRANSLATIONS).length === 0) items.set(article, { links: '', fragment: renderer.stored.load(text) });
  }
  const rendered: RenderedItem[] = [];
  const body = renderer.document(input, fragmentsFor(format, input, cache, (article, fragment) => rendered.push({ article, fragment: renderer.stored.save(fragment) })));
  return { body, rendered };
}
