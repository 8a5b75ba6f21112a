import type { Article } from '../model/types.js';

/** Google News takes articles from the last two days only; older ones should leave the sitemap. */
export const NEWS_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;
/** Google reads at most 1,000 news:news entries per sitemap. */
export const NEWS_MAX_URLS = 1000;

export interface NewsSitemapView {
  /** Newest first: visible, published within the window before `now`, at most NEWS_MAX_URLS. */
  readonly articles: readonly Article[];
  /** Epoch ms when the list next changes by the clock alone (an embargo release or the oldest leaving the window). */
  readonly nextChange?: number;
}

/**
 * Which articles Google News may see at `now`: from the newest visible
 * articles (the main feed's first NEWS_MAX_URLS, drafts and embargoed
 * stories already left out by the store), those published within the last
 * two days. `nextRelease` is the main feed's next embargo release.
 */
export function selectNewsArticles(newestVisible: readonly Article[], now: Date, nextRelease?: number): NewsSitemapView {
  const oldest = now.getTime() - NEWS_WINDOW_MS;
  const articles = newestVisible.slice(0, NEWS_MAX_URLS).filter((article) => article.published.getTime() > oldest);
  const last = articles[articles.length - 1];
  const expiry = last === undefined ? undefined : last.published.getTime() + NEWS_WINDOW_MS;
  const nextChange = nextRelease === undefined ? expiry : expiry === undefined ? nextRelease : Math.min(nextRelease, expiry);
  return { articles, ...(nextChange === undefined ? {} : { nextChange }) };
}

/**
 * A BCP 47 tag as Google News wants it: the ISO 639 code, except Chinese,
 * which is zh-cn (Simplified) or zh-tw (Traditional) — from the script when
 * the tag names one, else from the region (TW, HK, MO write Traditional).
 */
export function newsLanguage(tag: string): string {
  const parts = tag.toLowerCase().split(/[-_]/);
  const primary = parts[0] ?? tag.toLowerCase();
  if (primary !== 'zh') return primary;
  if (parts.includes('hant')) return 'zh-tw';
  if (parts.includes('hans')) return 'zh-cn';
  return parts.some((p) => p === 'tw' || p === 'hk' || p === 'mo') ? 'zh-tw' : 'zh-cn';
}
