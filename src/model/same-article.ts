import { ARTICLE_FIELDS, type ArticleKey, type FieldShape } from './article-fields.js';
import { StaleArticleError } from './stale.js';
import type { Article, Credit, Image } from './types.js';

/** Fields compared by value, the body last: reading a lazily loaded body reads and sanitises its file. */
const COMPARED = [...ARTICLE_FIELDS.filter((f) => f.shape !== 'body' && f.shape !== 'source'), ...ARTICLE_FIELDS.filter((f) => f.shape === 'body')];

/**
 * Same article as far as any feed shows it: every field of ARTICLE_FIELDS
 * but `source` (the file it came from, which no feed prints), compared as
 * its shape says. A reload that re-reads an unchanged file makes an equal,
 * not identical, object.
 */
export function sameArticle(a: Article, b: Article): boolean {
  if (a === b) return true;
  return COMPARED.every((field) => sameField(field.shape, field.key, a, b));
}

function sameField(shape: FieldShape, key: ArticleKey, a: Article, b: Article): boolean {
  switch (shape) {
    case 'text':
    case 'shared':
      return a[key] === b[key];
    case 'date':
      return (a[key] as Date).getTime() === (b[key] as Date).getTime();
    case 'names':
      return sameList(a[key] as readonly string[], b[key] as readonly string[], (x, y) => x === y);
    case 'credits':
      return sameList(a[key] as readonly Credit[], b[key] as readonly Credit[], sameCredit);
    case 'images':
      return sameList(a[key] as readonly Image[], b[key] as readonly Image[], sameImage);
    case 'body':
      return sameBody(a, b);
    case 'source':
      return true;
  }
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i] as T));
}

function sameCredit(a: Credit, b: Credit): boolean {
  return a.name === b.name && a.role === b.role && a.organization === b.organization && a.slug === b.slug;
}

function sameImage(a: Image, b: Image): boolean {
  return (
    a.url === b.url &&
    a.caption === b.caption &&
    a.credit === b.credit &&
    a.alt === b.alt &&
    a.width === b.width &&
    a.height === b.height &&
    a.type === b.type &&
    a.bytes === b.bytes &&
    a.thumbnail === b.thumbnail &&
    a.rights?.syndicate === b.rights?.syndicate &&
    a.rights?.terms === b.rights?.terms
  );
}

/**
 * A body left on disk (very large corpora) cannot be read once its file has
 * changed: such an article counts as different, which is what it is.
 */
function sameBody(a: Article, b: Article): boolean {
  try {
    return a.body === b.body;
  } catch (error) {
    if (error instanceof StaleArticleError) return false;
    throw error;
  }
}
