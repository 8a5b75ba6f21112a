import { StaleArticleError } from './stale.js';
import type { Article, Credit, Image } from './types.js';

/**
 * Same article as far as any feed shows it: every field but `source` (the
 * file it came from, which no feed prints). A reload that re-reads an
 * unchanged file makes an equal, not identical, object.
 */
export function sameArticle(a: Article, b: Article): boolean {
  if (a === b) return true;
  return (
    a.id === b.id &&
    a.url === b.url &&
    a.headline === b.headline &&
    a.summary === b.summary &&
    sameBody(a, b) &&
    a.published.getTime() === b.published.getTime() &&
    a.updated.getTime() === b.updated.getTime() &&
    a.timezone === b.timezone &&
    a.language === b.language &&
    a.service === b.service &&
    a.section === b.section &&
    a.status === b.status &&
    a.translationOf === b.translationOf &&
    sameList(a.tags, b.tags, (x, y) => x === y) &&
    sameList(a.credits, b.credits, sameCredit) &&
    sameList(a.images, b.images, sameImage)
  );
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
