/**
 * Article bodies read on first use instead of at load.
 *
 * Holding 100,000 bodies (about 5 KB of HTML each, twice that as UTF-16
 * for non-Latin scripts) would take most of the server's memory budget,
 * and sanitising them all (sanitize-html, ~0.3 ms each) would take most of
 * its start-up budget, while a feed only ever shows the newest few. So a
 * loaded article keeps what identifies its file version; its `body` is an
 * accessor that reads the record again, checks that the file is still that
 * version, and sanitises the body then. The render layer caches what it
 * makes from an article by identity, so this happens about once per article
 * that is actually shown.
 */

/** Sanitised bodies recently produced, least recently used first. Bounded: it is a convenience, not a store. */
const recent = new Map<() => string, string>();
/** Enough for every item of every format of a few dozen feeds being rendered at once. */
const RECENT_LIMIT = 2048;

/**
 * Turns `article.body` into an accessor returning `produce()`'s result,
 * computed on first read and remembered in a small shared LRU (the three
 * formats of a feed each read the body once while rendering). `produce`
 * may throw (StaleArticleError); nothing is remembered then. The property
 * stays an own, enumerable, read-only one in the same position, so code
 * that reads or spreads an article sees a string as before.
 */
export function defineLazyBody<T extends { readonly body: string }>(article: T, produce: () => string): T {
  Object.defineProperty(article, 'body', {
    enumerable: true,
    configurable: false,
    get(): string {
      const hit = recent.get(produce);
      if (hit !== undefined) {
        recent.delete(produce);
        recent.set(produce, hit);
        return hit;
      }
      const body = produce();
      recent.set(produce, body);
      if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as () => string);
      return body;
    },
  });
  return article;
}
