import { feedKey } from '../model/feed-filter.js';

/**
 * The CDN cache keys of a feed: "feeds" (every feed document, for purging
 * everything) and the feed's own key, "main" for the main feed or its
 * folder path without the leading slash ("tags/korea"). Slugs are
 * percent-encoded in paths, so a key never holds a space or a comma, the
 * separators of Surrogate-Key (Fastly) and Cache-Tag (Cloudflare, Akamai).
 */
export function surrogateKeys(feedPathOrEmpty: string): readonly string[] {
  return ['feeds', feedKey(feedPathOrEmpty)];
}

/** Surrogate-Key (space-separated) and Cache-Tag (comma-separated) for a feed response. */
export function surrogateHeaders(feedPathOrEmpty: string): Readonly<Record<string, string>> {
  const keys = surrogateKeys(feedPathOrEmpty);
  return { 'Surrogate-Key': keys.join(' '), 'Cache-Tag': keys.join(',') };
}
