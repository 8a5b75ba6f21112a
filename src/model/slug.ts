/**
 * A stable, lower-case, URL-safe slug for a name: "Korea" → "korea",
 * "Tag 7" → "tag-7". Letters and digits of every script are kept (so a
 * Korean or Uyghur name keeps a readable slug); everything else becomes a
 * single '-'. A name with no letter or digit at all ("🚀", "★", "+/-") keeps
 * its characters instead (see symbolSlug), so no story is refused for its
 * tag. Returns "" only for an empty name.
 */
export function slugify(name: string): string {
  const normal = name.normalize('NFKC').toLowerCase();
  const letters = normal.replace(/[^\p{L}\p{M}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return letters !== '' ? letters : symbolSlug(normal.trim().replace(/\s+/gu, ' '));
}

/**
 * slugify, remembered for the latest few thousand names: section, tag and
 * credit names repeat across thousands of articles, and a slug costs
 * ~1.5 µs to make against ~10 ns to look up (700,000 at a load of 100,000
 * articles). One per load or store, never module state.
 */
export class Slugger {
  private readonly recent = new Map<string, string>();

  constructor(private readonly limit = 4096) {}

  /** slugify(name), from memory when seen lately; a plain function, so `tags.map(slugger.slugify)` works. */
  readonly slugify = (name: string): string => {
    let slug = this.recent.get(name);
    if (slug === undefined) {
      slug = slugify(name);
      if (this.recent.size >= this.limit) this.recent.clear();
      this.recent.set(name, slug);
    }
    return slug;
  };

  /** Names remembered (at most the limit). */
  get size(): number {
    return this.recent.size;
  }
}

/**
 * Characters a symbol slug writes as `~` and two hex digits: white space,
 * path separators and dots (a "." or ".." segment is refused, and a slug is
 * also a file name in a static export), the characters URLs give a meaning
 * (`%`, `?`, `#`), and `~` itself so that the form reads back one way only.
 */
const UNSAFE_IN_SLUG = /[ ./\\%?#~]/g;

/**
 * The slug of a name without letters or digits: the name itself, NFKC and
 * lower case, with UNSAFE_IN_SLUG characters as `~hh` ("★ ★" → "★~20★",
 * "..." → "~2e~2e~2e"). Readable (a browser shows /tags/🚀/), one per
 * distinct name, and never equal to a letter slug: those hold only letters,
 * digits and inner hyphens, and this one always holds something else.
 */
function symbolSlug(normal: string): string {
  return normal.replace(UNSAFE_IN_SLUG, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
