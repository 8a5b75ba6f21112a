/**
 * A stable, lower-case, URL-safe slug for a name: "Korea" → "korea",
 * "Tag 7" → "tag-7". Letters and digits of every script are kept (so a
 * Korean or Uyghur name keeps a readable slug); everything else becomes a
 * single '-'. Returns "" when nothing usable remains.
 */
export function slugify(name: string): string {
  let slug = recent.get(name);
  if (slug === undefined) {
    slug = computeSlug(name);
    // Section and tag names repeat across thousands of articles: remember the latest few thousand.
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(name, slug);
  }
  return slug;
}

const RECENT_LIMIT = 4096;
const recent = new Map<string, string>();

function computeSlug(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
