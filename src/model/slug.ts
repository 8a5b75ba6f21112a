import { createHash } from 'node:crypto';

/**
 * Longest slug, in UTF-8 bytes. A slug is a URL segment and, in a static
 * export, a folder name: file systems refuse names over 255 bytes
 * (ENAMETOOLONG), and a tag of 90 Hangul syllables (270 bytes), or of a few
 * hundred compatibility characters that NFKC expands (U+FDFA becomes 18
 * letters, 33 bytes), made slugs that could not be written or requested
 * (issue 24). 120 bytes is at most 360 characters percent-encoded.
 */
export const MAX_SLUG_BYTES = 120;

/** `~` and 8 base-36 characters of SHA-256: one in 2.8 × 10¹² for two names cut or marked alike. */
const SUFFIX_LENGTH = 9;

/**
 * A stable, lower-case, URL-safe slug for a name, distinct for distinct
 * names, a pure function of the name (the same on both backends, every
 * replica and after a restart, whatever order names come in):
 *
 * - "Korea" → "korea", "Tag 7" and "tag-7" → "tag-7", "Markets & Money" →
 *   "markets-money": letters and digits of every script are kept, and
 *   between two words a hyphen, an apostrophe or anything holding a space
 *   is a word break ("O'Brien" → "o-brien").
 *   Names that differ only there, or in case or width, are one name.
 * - "C" → "c", "C++" → "c~…", "C#" → "c~…", "AT&T" → "at-t~…": a character
 *   at either end, or inside a word, is part of the name, so the slug gets
 *   `~` and a short hash of the name (WordPress's `c-2` depends on which tag
 *   came first; this does not).
 * - A name with no letter or digit ("🚀", "★", "+/-") keeps its characters
 *   (see symbolSlug), so no story is refused for its tag.
 * - A slug over MAX_SLUG_BYTES is cut and gets the hash too.
 *
 * Returns "" only for an empty name. docs/slugs.md has the table.
 */
export function slugify(name: string): string {
  const normal = name.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' ');
  const letters = normal.replace(/[^\p{L}\p{M}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  if (letters === '') {
    const symbols = symbolSlug(normal);
    // Already one per distinct name; only its length may need the hash.
    return fits(symbols) ? symbols : `${cut(symbols).replace(/~[0-9a-f]?$/, '')}~${nameHash(normal)}`;
  }
  const plain = WORD_BREAKS_ONLY.test(normal);
  if (plain && fits(letters)) return letters;
  // A plain name too long is hashed by its slug, so names that are one name stay one; another by the name itself.
  return `${cut(letters).replace(/-+$/, '')}~${nameHash(plain ? letters : normal)}`;
}

/**
 * A name whose slug reads back to it up to word breaks: words of letters,
 * digits and marks, with nothing at either end, and between two words only
 * hyphens, one apostrophe (O'Brien, O’Brien: a person's name is not
 * worth a hash), or a run holding a space (" & ", ", ", " - ").
 */
const WORD_BREAKS_ONLY = /^[\p{L}\p{M}\p{N}]+(?:(?:-+|['’ʼ]|[^\p{L}\p{M}\p{N}]* [^\p{L}\p{M}\p{N}]*)[\p{L}\p{M}\p{N}]+)*$/u;

function fits(slug: string): boolean {
  return Buffer.byteLength(slug, 'utf8') <= MAX_SLUG_BYTES;
}

/** The longest prefix, whole code points, that leaves room for the suffix. */
function cut(slug: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of slug) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > MAX_SLUG_BYTES - SUFFIX_LENGTH) break;
    end += char.length;
  }
  return slug.slice(0, end);
}

/** 8 lower-case base-36 characters of SHA-256 of the text. */
function nameHash(text: string): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return (digest.readBigUInt64BE(0) % 36n ** 8n).toString(36).padStart(8, '0');
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
