import sanitizeHtml from 'sanitize-html';
import { maySyndicate } from '../model/image-rights.js';
import type { Article, Image } from '../model/types.js';
import type { ContentLevel, ImagePolicy } from './partner.js';

/** What one kind of reader may have of each story: how much text, which pictures, under which agency list. */
export interface Entitlement {
  readonly content: ContentLevel;
  readonly images: ImagePolicy;
  readonly agencies: readonly string[];
}

/**
 * Articles as a reader with one entitlement may have them: the one place
 * the content level and the picture rights are applied, before the
 * unchanged renderers, so RSS, Atom, JSON Feed and ninjs all obey them.
 * Each article is transformed once and the result kept by identity (a
 * WeakMap owned by this instance): the render cache then reuses the items
 * it made of it, as it does for the public feeds.
 */
export class ArticleTransform {
  private readonly done = new WeakMap<Article, Article>();

  constructor(readonly entitlement: Entitlement) {}

  apply(article: Article): Article {
    let result = this.done.get(article);
    if (result === undefined) {
      result = entitled(article, this.entitlement);
      this.done.set(article, result);
    }
    return result;
  }
}

/**
 * URLs (and thumbnails) of the article's pictures the reader may not have:
 * with `licensed`, those that may not be syndicated; with `all`, only those
 * whose record says `syndicate: false` (an explicit "never", which no
 * partner setting overrides; `all` waives the agency rule); with `none`, every picture's.
 */
function forbiddenUrls(images: readonly Image[], policy: ImagePolicy, agencies: readonly string[]): Set<string> {
  const urls = new Set<string>();
  for (const image of images) {
    if (policy === 'licensed' && maySyndicate(image, agencies)) continue;
    if (policy === 'all' && image.rights?.syndicate !== false) continue;
    urls.add(normalUrl(image.url));
    if (image.thumbnail !== undefined) urls.add(normalUrl(image.thumbnail));
  }
  return urls;
}

function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/**
 * The article as the entitlement allows: `summary` drops the body,
 * `headline` keeps only the headline, link, dates and credits (and the
 * language, which every format needs); pictures the reader may not have
 * leave the record and, as `<img>` (with the `<figure>` or `<picture>`
 * around it) or a link to them, the body. An image sharing a URL with one
 * it may not have goes too.
 */
function entitled(article: Article, { content, images: policy, agencies }: Entitlement): Article {
  const forbidden = forbiddenUrls(article.images, policy, agencies);
  // Nothing to take away: the article itself, so its rendered items are shared with the public feeds'.
  if (content === 'full' && forbidden.size === 0 && (policy !== 'none' || !hasImages(article))) return article;
  const images = policy === 'none' ? [] : article.images.filter((image) => !forbidden.has(normalUrl(image.url)) && (image.thumbnail === undefined || !forbidden.has(normalUrl(image.thumbnail))));
  // Spelled out rather than spread: a spread would read `body`, which for a lazily loaded article reads the file.
  const base = {
    id: article.id,
    url: article.url,
    headline: article.headline,
    published: article.published,
    updated: article.updated,
    ...(article.timezone === undefined ? {} : { timezone: article.timezone }),
    language: article.language,
    credits: article.credits,
    status: article.status,
    ...(article.translationOf === undefined ? {} : { translationOf: article.translationOf }),
    source: article.source,
  };
  if (content === 'headline') return { ...base, body: '', tags: [], images: [] };
  return {
    ...base,
    ...(article.summary === undefined ? {} : { summary: article.summary }),
    body: content === 'summary' ? '' : policy === 'none' || forbidden.size > 0 ? withoutImages(article.body, forbidden, policy === 'none') : article.body,
    ...(article.service === undefined ? {} : { service: article.service }),
    ...(article.section === undefined ? {} : { section: article.section }),
    tags: article.tags,
    images,
  };
}

const WRAPPERS: readonly string[] = ['figure', 'picture'];

/** Whether a body may hold a picture (a cheap test before the sanitiser is run over it). */
function hasImages(article: Article): boolean {
  return article.images.length > 0 || article.body.includes('<img');
}

/**
 * A sanitised body without the pictures at `urls` (and every `<img>` when
 * `everyImage`): each such `<img>` goes with the `<figure>` or `<picture>`
 * around it (its caption names the picture), and a link to such a URL
 * keeps its text but loses the link. The body was sanitised at load, so
 * everything in it is allowed through again unchanged.
 */
export function withoutImages(body: string, urls: ReadonlySet<string>, everyImage = false): string {
  const open: { tag: string; drop: boolean; unwrap: boolean }[] = [];
  const refused = (url: string | undefined) => url !== undefined && urls.has(normalUrl(url));
  return sanitizeHtml(body, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    transformTags: {
      '*': (tagName, attribs) => {
        const dropImage = tagName === 'img' && (everyImage || refused(attribs.src));
        if (dropImage) for (const frame of open) if (WRAPPERS.includes(frame.tag)) frame.drop = true;
        open.push({ tag: tagName, drop: dropImage, unwrap: tagName === 'a' && refused(attribs.href) });
        return { tagName, attribs };
      },
    },
    exclusiveFilter: () => {
      const frame = open.pop();
      return frame?.drop === true ? true : frame?.unwrap === true ? 'excludeTag' : false;
    },
  });
}
