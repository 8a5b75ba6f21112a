/**
 * The article model every other layer works with. Everything here is plain
 * data and readonly: a new version of an article is a new object, which lets
 * the render layer cache per-article fragments by identity.
 */

/** Roles a credit may carry, in the order the newsroom prints them. */
export const CREDIT_ROLES = ['reporter', 'writer', 'translator', 'editor', 'photographer', 'producer'] as const;
export type CreditRole = (typeof CREDIT_ROLES)[number];

/** Roles that make a credited person an author; every other role is a contributor. */
export const AUTHOR_ROLES: readonly CreditRole[] = ['reporter', 'writer'];

export interface Credit {
  readonly name: string;
  readonly role: CreditRole;
  /** "the Korean Service" in "Reported by A for the Korean Service". */
  readonly organization?: string;
  /** Stable, URL-safe identifier of the person, used for per-author feeds. */
  readonly slug: string;
}

export interface Image {
  /** Absolute http(s) URL. */
  readonly url: string;
  readonly caption?: string;
  /** Photo credit, e.g. the agency that released the picture. */
  readonly credit?: string;
  readonly alt?: string;
  readonly width?: number;
  readonly height?: number;
  /** MIME type; from the record, or derived from the file extension at load time. */
  readonly type: string;
  /** Size in bytes, when known. */
  readonly bytes?: number;
  /** Absolute URL of a thumbnail, when the newsroom provides one. */
  readonly thumbnail?: string;
  /** What the newsroom may do with the picture beyond its own site (model/image-rights.ts decides). */
  readonly rights?: ImageRights;
}

/** An image's licence as the record states it (issue 26). */
export interface ImageRights {
  /** true: may be passed on to partners even when an agency's; false: never. Absent: decided by the credit. */
  readonly syndicate?: boolean;
  /** The licence's words, carried to ninjs `usageTerms`. */
  readonly terms?: string;
}

export type ArticleStatus = 'published' | 'draft';

export interface Article {
  /** Stable identifier: lowercase letters, digits and '-'. */
  readonly id: string;
  /** Canonical URL of the article on the newsroom's site. */
  readonly url: string;
  /** Plain text. */
  readonly headline: string;
  /** Plain text. */
  readonly summary?: string;
  /** Sanitised HTML, links made absolute against `url`. */
  readonly body: string;
  readonly published: Date;
  /** Equal to `published` when the record gives no update. */
  readonly updated: Date;
  /** IANA zone the newsroom dates the article in, when given. */
  readonly timezone?: string;
  /** BCP 47 language tag, as written in the record (or the site's). */
  readonly language: string;
  readonly service?: string;
  readonly section?: string;
  readonly tags: readonly string[];
  readonly credits: readonly Credit[];
  readonly images: readonly Image[];
  readonly status: ArticleStatus;
  /** Id of the original this article translates, when it is a translation (see model/translations.ts). */
  readonly translationOf?: string;
  /** Path of the record the article came from, relative to the data directory's parent. */
  readonly source: string;
}

export interface Site {
  readonly title: string;
  readonly description: string;
  /** The newsroom's home page. */
  readonly link: string;
  /** Public base URL this server is reached at; self links are built from it. */
  readonly baseUrl: string;
  readonly language: string;
  readonly copyright?: string;
  /** Small square icon (favicon). */
  readonly icon?: string;
  /** Larger logo or feed image. */
  readonly logo?: string;
  /** Items in a feed when the request does not say. */
  readonly feedSize: number;
  /** Authority part of the tag: URIs used as item ids, e.g. "news.example.org,2019". */
  readonly idAuthority: string;
  /** Base URL the importer joins image names to. */
  readonly mediaBase?: string;
  /** Credit names (AFP, Reuters) whose pictures are not passed on unless their rights say so (model/image-rights.ts). */
  readonly agencies?: readonly string[];
  /** "licensed": the public feeds leave out pictures partners may not have too. Absent: public feeds show every picture. */
  readonly publicImages?: 'licensed';
}

/** The formats feed readers take. */
export type FeedFormat = 'rss' | 'atom' | 'json';
/** Every format a feed is served in: the reader formats and IPTC ninjs for content partners. */
export type DocumentFormat = FeedFormat | 'ninjs';

/** File name of each format in a feed folder: /rss.xml, /sections/korea/feed.json, /tags/x/ninjs.json. */
export const FEED_FILE_NAMES: Readonly<Record<DocumentFormat, string>> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json', ninjs: 'ninjs.json' };
