import type { Article } from '../model/types.js';
import { isVisible } from './select.js';

/** Google News takes articles from the last two days only; older ones should leave the sitemap. */
export const NEWS_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;
/** Google reads at most 1,000 news:news entries per sitemap. */
export const NEWS_MAX_URLS = 1000;

export interface NewsSitemapView {
  /** Newest first: visible, published within the window before `now`, at most NEWS_MAX_URLS. */
  readonly articles: readonly Article[];
  /** Epoch ms when the list next changes by the clock alone (an embargo release or the oldest leaving the window). */
  readonly nextChange?: number;
  /** Index range in the newest-first list, which identifies the selection for one data version. */
  readonly from: number;
  readonly to: number;
}

/**
 * Which articles Google News may see at `now`, from the newest-first list
 * of every article: drafts and embargoed stories never, and nothing older
 * than two days. Pure, so a database store can run the same rule.
 */
export function selectNewsArticles(articles: readonly Article[], now: Date): NewsSitemapView {
  const at = now.getTime();
  const oldest = at - NEWS_WINDOW_MS;
  const selected: Article[] = [];
  let nextRelease: number | undefined;
  let from = -1;
  let to = 0;
  for (let i = 0; i < articles.length; i++) {
    const article = articles[i] as Article;
    const published = article.published.getTime();
    if (published > at) {
      if (article.status === 'published') nextRelease = published;
      continue;
    }
    if (published <= oldest || selected.length >= NEWS_MAX_URLS) break;
    if (from === -1) from = i;
    to = i + 1;
    if (isVisible(article, now)) selected.push(article);
  }
  const expiry = selected.length === 0 ? undefined : (selected[selected.length - 1] as Article).published.getTime() + NEWS_WINDOW_MS;
  const nextChange = nextRelease === undefined ? expiry : expiry === undefined ? nextRelease : Math.min(nextRelease, expiry);
  return { articles: selected, from: Math.max(from, 0), to, ...(nextChange === undefined ? {} : { nextChange }) };
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
