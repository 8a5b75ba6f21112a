import type { Article } from '../model/types.js';
import type { Partner } from './partner.js';

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** A language in scope: the same tag, or a more specific one of it ("en" covers "en-GB"), case-insensitively. */
function coversLanguage(scope: string, language: string): boolean {
  const a = scope.trim().toLowerCase();
  const b = language.trim().toLowerCase();
  return a === b || b.startsWith(`${a}-`);
}

/**
 * Whether a story is within a partner's contract: its service, section and
 * language each in the partner's list, for every list the partner has.
 */
export function inScope(partner: Pick<Partner, 'services' | 'sections' | 'languages'>, article: Pick<Article, 'service' | 'section' | 'language'>): boolean {
  if (partner.services && !partner.services.some((s) => article.service !== undefined && same(s, article.service))) return false;
  if (partner.sections && !partner.sections.some((s) => article.section !== undefined && same(s, article.section))) return false;
  if (partner.languages && !partner.languages.some((l) => coversLanguage(l, article.language))) return false;
  return true;
}

/** True when the partner's contract covers every story (no list given). */
export function unscoped(partner: Pick<Partner, 'services' | 'sections' | 'languages'>): boolean {
  return partner.services === undefined && partner.sections === undefined && partner.languages === undefined;
}
