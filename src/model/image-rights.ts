import type { Image } from './types.js';

/**
 * Whether a picture may be handed to a third party: the one owner of that
 * decision (partner feeds, and the public feeds when site.json sets
 * `publicImages: "licensed"`, ask it). `rights.syndicate` decides when the
 * record gives it; otherwise a picture credited to one of the site's
 * `agencies` may not be passed on, and any other may.
 *
 * An agency matches its credit case-insensitively as a whole word, so "AFP"
 * matches "AFP", "afp" and "KCNA via AFP" but not "AFPX": credits name the
 * photographer and the agency together ("Jung Yeon-je / AFP") more often
 * than the agency alone.
 */
export function maySyndicate(image: Pick<Image, 'credit' | 'rights'>, agencies: readonly string[]): boolean {
  const declared = image.rights?.syndicate;
  if (declared !== undefined) return declared;
  if (image.credit === undefined) return true;
  const words = creditWords(image.credit);
  return !agencies.some((agency) => containsWords(words, creditWords(agency)));
}

/** Lower-cased letters-and-digits runs of a credit: "Jung Yeon-je/AFP" → jung, yeon, je, afp. */
function creditWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

/** True when `needle` occurs in `words` as consecutive words ("associated press" in "by associated press"). */
function containsWords(words: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= words.length; i++) if (needle.every((word, j) => words[i + j] === word)) return true;
  return false;
}
