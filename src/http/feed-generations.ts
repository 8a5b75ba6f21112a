/**
 * Which cached documents a change made stale. Every change bumps one
 * counter; a document rendered at generation g stays current unless a later
 * change touched its feed. A change that names its feeds marks only those
 * (and every document that is not a feed: ninjs articles, the news
 * sitemap); a change that does not (the files backend's site reload, a
 * replica that missed trimmed changes) marks everything.
 *
 * Documents are grouped by the feed path inside their cache key
 * (`format\npath\nsearch`, see feedRequestKey): every page, limit and since
 * of a feed goes stale with it, because an edit can move an article across
 * any page boundary.
 */
export class FeedGenerations {
  private current = 0;
  /** Documents rendered before this generation are stale, whatever their feed. */
  private floor = 0;
  /** Per feed path (and OTHER): documents rendered before this generation are stale. */
  private readonly floors = new Map<string, number>();

  /** Touched feeds remembered at most; beyond it one full invalidation replaces them (thousands of tag feeds at 1M articles). */
  static readonly MAX_FEEDS = 10_000;

  get generation(): number {
    return this.current;
  }

  /** A change: `paths` (feed paths, '' for the main feed) went stale; all documents when undefined. */
  invalidate(paths?: readonly string[]): void {
    this.current += 1;
    if (paths === undefined || this.floors.size + paths.length > FeedGenerations.MAX_FEEDS) {
      this.floor = this.current;
      this.floors.clear();
      return;
    }
    for (const path of paths) this.floors.set(path, this.current);
    this.floors.set(OTHER, this.current);
  }

  /** True when the document under cache key `key`, rendered at `generation`, is unaffected by every change since. */
  isCurrent(key: string, generation: number): boolean {
    // Nothing changed since: the common case of a replayed answer, decided without reading the key.
    if (generation >= this.current) return true;
    if (generation < this.floor) return false;
    const floor = this.floors.get(groupOf(key));
    return floor === undefined || generation >= floor;
  }
}

/** The group of documents that are not feeds: stale on every change (they may show any article). */
const OTHER = '\u0000other';

/** The feed path inside a feed cache key, or OTHER for keys of other documents (which hold no newline). */
export function groupOf(key: string): string {
  const first = key.indexOf('\n');
  if (first < 0) return OTHER;
  const second = key.indexOf('\n', first + 1);
  return second < 0 ? OTHER : key.slice(first + 1, second);
}
