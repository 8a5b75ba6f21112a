import type { Author, Category, FeedOptions, Item } from 'feed';
import { escapeMarkup } from '../model/escape.js';
import { slugify } from '../model/slug.js';
import { feedPath } from '../model/feed-filter.js';
import { AUTHOR_ROLES, type Article, type Credit, type DocumentFormat, FEED_FILE_NAMES, type Site, type CreditRole } from '../model/types.js';

/** What distinguishes one feed from another: its own title, folder, links and `updated`. */
export interface FeedMeta {
  readonly title: string;
  readonly description: string;
  /** URL path of the feed's folder (model/feed-filter.ts feedPath): "" for the main feed, "/sections/korea". */
  readonly path: string;
  /**
   * Absolute self URL of this document in every served format, with its
   * query: each renderer is told its own URL (and the others') rather than
   * rebuilding it from another format's.
   */
  readonly links: Readonly<Record<DocumentFormat, string>>;
  /** Newest change among the feed's items; never the wall clock. */
  readonly updated: Date;
}

const GENERATOR = 'wirefeed';

/** The id every format uses for an article: a tag: URI (RFC 4151), stable across formats and restarts. */
export function itemId(article: Pick<Article, 'id'>, site: Site): string {
  return `tag:${site.idAuthority}:${article.id}`;
}

export function isAuthor(credit: Credit): boolean {
  return AUTHOR_ROLES.includes(credit.role);
}

/**
 * The feed's own id: a tag: URI built from its path, so it stays the same
 * when the server moves (SITE_URL) — "tag:news.example.org,2019:feeds" for
 * the main feed, "…:feeds/sections/korea" for a section.
 */
export function feedId(site: Site, meta: Pick<FeedMeta, 'path'>): string {
  // Every page and query of a feed shares the feed's id (RFC 5005): made from the folder, not the self URL.
  return `tag:${site.idAuthority}:feeds${meta.path}`;
}

/** Feed-level options of the `feed` library's model. */
export function toFeedOptions(site: Site, meta: FeedMeta): FeedOptions {
  return {
    id: feedId(site, meta),
    title: meta.title,
    description: meta.description,
    link: site.link,
    language: site.language,
    updated: meta.updated,
    generator: GENERATOR,
    feedLinks: { rss: meta.links.rss, atom: meta.links.atom, json: meta.links.json },
    // Atom requires an author on the feed when an entry has none.
    author: { name: site.title, link: site.link },
    ...(site.logo === undefined ? {} : { image: site.logo }),
    ...(site.icon === undefined ? {} : { favicon: site.icon }),
    ...(site.copyright === undefined ? {} : { copyright: site.copyright }),
  };
}

/**
 * One article as an item of the `feed` library's model. Values are plain
 * (not escaped): the render layer escapes them as each format needs.
 */
export function toFeedItem(article: Article, site: Site): Item {
  const authors = article.credits.filter(isAuthor).map((c) => toAuthor(c, site));
  const contributors = article.credits.filter((c) => !isAuthor(c)).map((c) => toAuthor(c, site));
  const lead = article.images[0];
  return {
    title: article.headline,
    id: itemId(article, site),
    link: article.url,
    date: article.updated,
    published: article.published,
    ...(article.summary === undefined ? {} : { description: article.summary }),
    // An empty body is a story without text (a partner's summary or headline feed): no content element at all.
    ...(article.body === '' ? {} : { content: composeContent(article) }),
    category: categories(article, site),
    ...(authors.length === 0 ? {} : { author: authors }),
    ...(contributors.length === 0 ? {} : { contributor: contributors }),
    ...(lead === undefined ? {} : { image: { url: lead.url, type: lead.type, ...(lead.bytes === undefined ? {} : { length: lead.bytes }) } }),
  };
}

function toAuthor(credit: Credit, site: Site): Author {
  return { name: credit.name, link: `${site.baseUrl}${feedPath({ kind: 'author', slug: credit.slug })}/` };
}

/**
 * The Atom feed of a section or tag: the scheme of its Atom category, whose
 * term is the name, as WordPress writes it (issue 24: readers that show the
 * term, sfeed and python feedparser apps, showed "c" for "C++").
 */
function categoryFeed(site: Site, kind: 'section' | 'tag', name: string): string {
  return `${site.baseUrl}${feedPath({ kind, slug: slugify(name) })}/${FEED_FILE_NAMES.atom}`;
}

function categories(article: Article, site: Site): Category[] {
  const list: Category[] = [];
  if (article.section !== undefined) {
    list.push({ name: article.section, term: article.section, scheme: categoryFeed(site, 'section', article.section) });
  }
  for (const tag of article.tags) list.push({ name: tag, term: tag, scheme: categoryFeed(site, 'tag', tag) });
  return list;
}

/**
 * The full HTML content: the lead image as a figure (so readers without
 * Media RSS still show it, with its caption and credit), the body, then the
 * credit line as the newsroom prints it.
 */
export function composeContent(article: Article): string {
  const parts: string[] = [];
  const lead = article.images[0];
  if (lead !== undefined && !article.body.includes(escapeMarkup(lead.url))) {
    const size = `${lead.width === undefined ? '' : ` width="${lead.width}"`}${lead.height === undefined ? '' : ` height="${lead.height}"`}`;
    const caption = [lead.caption === undefined ? '' : escapeMarkup(lead.caption), lead.credit === undefined ? '' : `<span>${escapeMarkup(lead.credit)}</span>`]
      .filter((s) => s !== '')
      .join(' ');
    parts.push(
      `<figure><img src="${escapeMarkup(lead.url)}" alt="${escapeMarkup(lead.alt ?? lead.caption ?? '')}"${size}>${caption === '' ? '' : `<figcaption>${caption}</figcaption>`}</figure>`,
    );
  }
  parts.push(article.body);
  if (article.credits.length > 0) parts.push(`<p class="credits">${escapeMarkup(formatCreditLine(article.credits, article.language))}</p>`);
  return parts.join('\n');
}

const PHRASE: Readonly<Record<CreditRole, string>> = {
  reporter: 'Reported by',
  writer: 'Written by',
  translator: 'Translated by',
  editor: 'Edited by',
  photographer: 'Photos by',
  producer: 'Produced by',
};

/**
 * The credit line as the newsroom prints it, from structured credits:
 * "Reported by A and B for the Korean Service. Translated by C. Written in
 * English by D." Consecutive credits with the same role and organization
 * share a sentence. A writer is "Written in English by" when the story was
 * also translated and is in English, as newsrooms print it.
 */
export function formatCreditLine(credits: readonly Credit[], language: string): string {
  const translated = credits.some((c) => c.role === 'translator');
  const groups: { role: CreditRole; organization: string | undefined; names: string[] }[] = [];
  for (const credit of credits) {
    const last = groups.at(-1);
    if (last && last.role === credit.role && last.organization === credit.organization) last.names.push(credit.name);
    else groups.push({ role: credit.role, organization: credit.organization, names: [credit.name] });
  }
  return groups
    .map(({ role, organization, names }) => {
      const phrase = role === 'writer' && translated && /^en\b/i.test(language) ? 'Written in English by' : PHRASE[role];
      const sentence = `${phrase} ${joinNames(names)}${organization === undefined ? '' : ` for ${organization}`}`;
      return sentence.endsWith('.') ? sentence : `${sentence}.`;
    })
    .join(' ');
}

/**
 * Names as a byline joins them: "A", "A and B", "A, B and C". RSS readers
 * that show one author (newsboat, feedparser's `author`) show only the last
 * of several dc:creator elements, so RSS carries the authors as one
 * dc:creator with this byline, as Arc XP's news feeds do.
 */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
