import type { Credit, CreditRole } from '../model/types.js';

const PHRASE: Readonly<Record<CreditRole, string>> = {
  reporter: 'Reported by',
  writer: 'Written by',
  translator: 'Translated by',
  editor: 'Edited by',
  photographer: 'Photos by',
  producer: 'Produced by',
};

/**
 * The credit line as the newsroom prints it, from structured credits:
 * "Reported by A and B for the Korean Service. Translated by C. Written in
 * English by D." Consecutive credits with the same role and organization
 * share a sentence. A writer is "Written in English by" when the story was
 * also translated and is in English, as newsrooms print it.
 */
export function formatCreditLine(credits: readonly Credit[], language: string): string {
  const translated = credits.some((c) => c.role === 'translator');
  const groups: { role: CreditRole; organization: string | undefined; names: string[] }[] = [];
  for (const credit of credits) {
    const last = groups.at(-1);
    if (last && last.role === credit.role && last.organization === credit.organization) last.names.push(credit.name);
    else groups.push({ role: credit.role, organization: credit.organization, names: [credit.name] });
  }
  return groups
    .map(({ role, organization, names }) => {
      const phrase = role === 'writer' && translated && /^en\b/i.test(language) ? 'Written in English by' : PHRASE[role];
      const sentence = `${phrase} ${joinNames(names)}${organization === undefined ? '' : ` for ${organization}`}`;
      return sentence.endsWith('.') ? sentence : `${sentence}.`;
    })
    .join(' ');
}

/**
 * Names as a byline joins them: "A", "A and B", "A, B and C". RSS readers
 * that show one author (newsboat, feedparser's `author`) show only the last
 * of several dc:creator elements, so RSS carries the authors as one
 * dc:creator with this byline, as Arc XP's news feeds do.
 */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
