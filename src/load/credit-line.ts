import type { CreditRole } from '../model/types.js';

/** One credit read from a credit line, before it gets a slug. */
export interface ParsedCredit {
  readonly name: string;
  readonly role: CreditRole;
  readonly organization?: string;
}

export type CreditLineResult =
  | { readonly ok: true; readonly credits: readonly ParsedCredit[] }
  | { readonly ok: false; readonly unparsed: string };

/** Phrases that open a credit sentence, longest first so "Written in English by" wins over "Written by". */
const PHRASES: ReadonlyArray<readonly [RegExp, CreditRole]> = [
  [/^reported\s+by\s+/i, 'reporter'],
  [/^written\s+in\s+[\p{L}-]+\s+by\s+/iu, 'writer'],
  [/^written\s+by\s+/i, 'writer'],
  [/^(?:translated|translation)(?:\s+from\s+[\p{L}-]+)?\s+by\s+/iu, 'translator'],
  [/^edited\s+by\s+/i, 'editor'],
  [/^(?:photos?|photographs?|photography)\s+by\s+/i, 'photographer'],
  [/^produced\s+by\s+/i, 'producer'],
];

/** Where one credit sentence ends: a period followed by the next phrase, or the end of the line. */
const NEXT_PHRASE = /\.\s+(?=(?:reported|written|translated|translation|edited|photos?|photographs?|photography|produced)\s+(?:by|in|from)\s)/iu;

/**
 * Reads a credit line as newsrooms print it — "Reported by A and B for the
 * Korean Service. Translated by C. Written in English by D." — into
 * structured credits, in the order given. Several names may be joined by
 * commas and "and"; "for <organization>" applies to every name before it;
 * the final period is optional and white space is folded. Anything that is
 * not a recognised credit sentence is returned as `unparsed`, never guessed.
 */
export function parseCreditLine(line: string): CreditLineResult {
  let rest = line.replace(/\s+/gu, ' ').trim();
  const credits: ParsedCredit[] = [];
  if (rest === '') return { ok: false, unparsed: line };
  while (rest !== '') {
    const phrase = PHRASES.find(([pattern]) => pattern.test(rest));
    if (!phrase) return { ok: false, unparsed: rest };
    const [pattern, role] = phrase;
    rest = rest.replace(pattern, '');
    const end = NEXT_PHRASE.exec(rest);
    let sentence = end ? rest.slice(0, end.index) : rest;
    rest = end ? rest.slice(end.index + end[0].length) : '';
    sentence = sentence.replace(/\.\s*$/, '').trim();
    const parsed = parseNames(sentence);
    if (!parsed) return { ok: false, unparsed: sentence === '' ? line.trim() : sentence };
    for (const name of parsed.names) {
      credits.push(parsed.organization === undefined ? { name, role } : { name, role, organization: parsed.organization });
    }
  }
  return { ok: true, credits };
}

function parseNames(sentence: string): { names: string[]; organization?: string } | undefined {
  const forAt = sentence.search(/\s+for\s+/i);
  const namesPart = forAt === -1 ? sentence : sentence.slice(0, forAt);
  const organization = forAt === -1 ? undefined : sentence.slice(forAt).replace(/^\s+for\s+/i, '').trim();
  if (organization === '') return undefined;
  const names = namesPart
    .split(/\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s+&\s+/i)
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) return undefined;
  return organization === undefined ? { names } : { names, organization };
}
