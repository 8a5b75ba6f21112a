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

/**
 * Where an article's body comes from: `produce` (one shared function per
 * kind of source, so 100,000 articles do not carry 100,000 closures) reads
 * it given the article and this object, which holds the per-article data.
 */
export interface BodySource {
  readonly produce: (article: { readonly url: string; readonly source: string }, source: BodySource) => string;
}

const BODY_SOURCE = Symbol('wirefeed.bodySource');
type WithSource = { readonly url: string; readonly source: string; readonly [BODY_SOURCE]: BodySource };

type Produce = BodySource['produce'];

/** Enough for every item of every format of a few dozen feeds being rendered at once. */
const RECENT_LIMIT = 2048;

/**
 * Sanitised bodies recently produced, least recently used first: the three
 * formats of a feed each read the body once while rendering, and
 * sanitising takes ~0.3 ms. Bounded: it is a convenience, not a store. One
 * per store (see load-memo.ts), shared by its loads and reloads, never
 * between stores.
 */
export class BodyCache {
  private readonly recent = new Map<BodySource, string>();
  private readonly wrapped = new Map<Produce, Produce>();

  constructor(private readonly limit = RECENT_LIMIT) {}

  /**
   * `produce`, answering from this cache: one function per kind of source
   * and cache (the same one each call), so 100,000 sources made with it
   * still carry no closure of their own.
   */
  cached(produce: Produce): Produce {
    let through = this.wrapped.get(produce);
    if (through === undefined) {
      through = (article, source) => this.bodyOf(article, source, produce);
      this.wrapped.set(produce, through);
    }
    return through;
  }

  private bodyOf(article: Parameters<Produce>[0], source: BodySource, produce: Produce): string {
    const hit = this.recent.get(source);
    if (hit !== undefined) {
      this.recent.delete(source);
      this.recent.set(source, hit);
      return hit;
    }
    const body = produce(article, source);
    this.recent.set(source, body);
    if (this.recent.size > this.limit) this.recent.delete(this.recent.keys().next().value as BodySource);
    return body;
  }

  /** Bodies held (at most the limit). */
  get size(): number {
    return this.recent.size;
  }
}

/** The one getter all lazily loaded articles share. */
function lazyBody(this: WithSource): string {
  const source = this[BODY_SOURCE];
  return source.produce(this, source);
}

/**
 * A copy of `article` whose `body` is an accessor returning
 * `source.produce(article, source)`, computed on every read unless `produce`
 * came from a BodyCache (the store's), which remembers the latest bodies.
 * `produce` may throw (StaleArticleError); nothing is remembered then. The property stays an own, enumerable, read-only one
 * in the same position, so code that reads or spreads an article sees a
 * string as before; the source is kept under a symbol, out of spreads and
 * JSON.
 *
 * A copy, not the object changed in place: turning an existing data
 * property into an accessor puts the object in V8's dictionary mode (a hash
 * table per object, slower to read and about three times the size), while
 * adding the accessor to a new object as it is built keeps it a fast object
 * sharing one hidden class with the other articles.
 */
export function defineLazyBody<T extends { readonly body: string; readonly url: string; readonly source: string }>(article: T, source: BodySource): T {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(article)) {
    if (key === 'body') Object.defineProperty(copy, 'body', { enumerable: true, configurable: false, get: lazyBody });
    else copy[key] = article[key as keyof T];
  }
  Object.defineProperty(copy, BODY_SOURCE, { value: source, enumerable: false });
  return copy as T;
}

/**
 * defineLazyBody for an object being built (no copy): adds `body` as the
 * accessor, in the position it is called at, and the source. For the
 * article index, which makes 100,000 articles at a restart and should not
 * make each twice.
 */
export function addLazyBody(target: object, source: BodySource): void {
  Object.defineProperty(target, 'body', { enumerable: true, configurable: false, get: lazyBody });
  Object.defineProperty(target, BODY_SOURCE, { value: source, enumerable: false });
}
