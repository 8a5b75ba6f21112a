import type { Item } from 'feed';
import { toFeedItem, toFeedOptions, type FeedMeta } from '../map/to-feed-model.js';
import { FEED_FILE_NAMES, type Article, type FeedFormat, type Site } from '../model/types.js';
import { atomEntries, atomFrame } from './atom.js';
import type { FeedExtras } from './extras.js';
import { jsonItem, jsonTop } from './json.js';
import { rssFrame, rssItems } from './rss.js';

/** Everything one feed document is made from. */
export interface RenderInput {
  readonly site: Site;
  readonly meta: FeedMeta;
  /** In feed order. */
  readonly articles: readonly Article[];
  readonly extras?: FeedExtras;
}

interface FormatRenderer<Fragment> {
  readonly mediaType: string;
  /** File name of the feed in a feed folder: /rss.xml, /sections/korea/rss.xml. */
  readonly fileName: string;
  /** Renders the items of several articles at once (one pass through `feed`), in order. */
  items(entries: readonly { article: Article; item: Item }[], site: Site): Fragment[];
  document(input: RenderInput, fragments: readonly Fragment[]): string;
}

const rss: FormatRenderer<string> = {
  mediaType: 'application/rss+xml; charset=utf-8',
  fileName: FEED_FILE_NAMES.rss,
  items: rssItems,
  document(input, fragments) {
    const { head, tail } = rssFrame(toFeedOptions(input.site, input.meta), input.extras ?? {});
    return head + fragments.join('') + tail;
  },
};

const atom: FormatRenderer<string> = {
  mediaType: 'application/atom+xml; charset=utf-8',
  fileName: FEED_FILE_NAMES.atom,
  items: atomEntries,
  document(input, fragments) {
    const { head, tail } = atomFrame(toFeedOptions(input.site, input.meta), input.extras ?? {});
    return head + fragments.join('') + tail;
  },
};

const json: FormatRenderer<Record<string, unknown>> = {
  mediaType: 'application/feed+json; charset=utf-8',
  fileName: FEED_FILE_NAMES.json,
  items: (entries, site) => entries.map(({ article, item }) => jsonItem(article, item, site)),
  document(input, fragments) {
    return JSON.stringify({ ...jsonTop(toFeedOptions(input.site, input.meta), input.site, input.extras ?? {}), items: fragments }, null, 2);
  },
};

/** The format table: every per-format difference lives here, none in the routes. */
export const FORMATS: { readonly [F in FeedFormat]: FormatRenderer<F extends 'json' ? Record<string, unknown> : string> } = { rss, atom, json };
export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

/**
 * Rendered items, kept per site and article object. Articles are immutable
 * (a changed record is a new object), so an entry is valid for as long as
 * the object lives and is collected with it.
 */
const fragments = new WeakMap<Site, { [F in FeedFormat]: WeakMap<Article, unknown> }>();

/** Mapped items, shared by the three formats: an article is mapped once, whichever format asks first. */
const mapped = new WeakMap<Site, WeakMap<Article, Item>>();

function feedItemFor(article: Article, site: Site): Item {
  let bySite = mapped.get(site);
  if (!bySite) {
    bySite = new WeakMap();
    mapped.set(site, bySite);
  }
  let item = bySite.get(article);
  if (item === undefined) {
    item = toFeedItem(article, site);
    bySite.set(article, item);
  }
  return item;
}

function fragmentsFor(format: FeedFormat, articles: readonly Article[], site: Site): unknown[] {
  let bySite = fragments.get(site);
  if (!bySite) {
    bySite = { rss: new WeakMap(), atom: new WeakMap(), json: new WeakMap() };
    fragments.set(site, bySite);
  }
  const cache = bySite[format];
  const missing = articles.filter((article) => !cache.has(article));
  if (missing.length > 0) {
    const renderer = FORMATS[format] as FormatRenderer<unknown>;
    const rendered = renderer.items(missing.map((article) => ({ article, item: feedItemFor(article, site) })), site);
    missing.forEach((article, i) => cache.set(article, rendered[i]));
  }
  return articles.map((article) => cache.get(article));
}

/** Renders one feed document. Same input, same bytes: nothing here reads the clock. */
export function renderFeed(format: FeedFormat, input: RenderInput): string {
  const renderer = FORMATS[format] as FormatRenderer<unknown>;
  return renderer.document(input, fragmentsFor(format, input.articles, input.site));
}
