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

const PHRASE_WORDS = '(?:reported|written|translated|translation|edited|photos?|photographs?|photography|produced)\\s+(?:by|in|from)\\s';

/** Where one credit sentence ends: a period or semicolon followed by the next phrase. */
const NEXT_PHRASE = new RegExp(`[.;]\\s+(?=${PHRASE_WORDS})`, 'iu');

/** Does this text open with a credit phrase? Used by the importer to find the credit line of a story. */
export const CREDIT_LINE_START = new RegExp(`^${PHRASE_WORDS}`, 'iu');

/**
 * Words a period may follow inside a name or an organization without ending
 * the sentence: initials ("J. R. Kim", "the U.S. Service") and the usual
 * abbreviations.
 */
const ABBREVIATION = /(?:^|[\s.(])(?:\p{L}|jr|sr|st|dr|mr|mrs|ms|prof|co|inc|ltd)$/iu;

/** Name suffixes whose period is part of the name even at the end of the line ("Written by Kim Jr."). */
const KEEPS_PERIOD = /(?:^|\s)(?:jr|sr)\.$/i;

/**
 * Reads a credit line as newsrooms print it — "Reported by A and B for the
 * Korean Service. Translated by C. Written in English by D." — into
 * structured credits, in the order given. Several names may be joined by
 * commas and "and"; "for <organization>" applies to every name before it;
 * the final period is optional and white space is folded. Anything that is
 * not a recognised credit sentence — including text trailing a credit
 * ("Translated by C. Copyright 2019.") — is returned as `unparsed`, never
 * guessed into a name.
 */
export function parseCreditLine(line: string): CreditLineResult {
  let rest = line.replace(/\s+/gu, ' ').trim();
  const credits: ParsedCredit[] = [];
  if (rest === '') return { ok: false, unparsed: line };
  while (rest !== '') {
    const phrase = PHRASES.find(([pattern]) => pattern.test(rest));
    if (!phrase) return { ok: false, unparsed: rest };
    const [pattern, role] = phrase;
    const opened = rest;
    rest = rest.replace(pattern, '');
    const end = NEXT_PHRASE.exec(rest);
    let sentence = end ? rest.slice(0, end.index) : rest;
    rest = end ? rest.slice(end.index + end[0].length) : '';
    const stray = strayTextAt(sentence);
    if (stray !== undefined) return { ok: false, unparsed: sentence.slice(stray).trim() };
    if (!KEEPS_PERIOD.test(sentence)) sentence = sentence.replace(/[.;]\s*$/, '');
    sentence = sentence.trim();
    const parsed = parseNames(sentence);
    if (!parsed) return { ok: false, unparsed: sentence === '' ? opened.trim() : sentence };
    for (const name of parsed.names) {
      credits.push(parsed.organization === undefined ? { name, role } : { name, role, organization: parsed.organization });
    }
  }
  return { ok: true, credits };
}

/**
 * Where text that is not part of this credit starts: after a period that
 * ends a sentence (not an initial or an abbreviation) and is followed by
 * more words. undefined when the sentence is all names and organization.
 */
function strayTextAt(sentence: string): number | undefined {
  const boundary = /[.;]\s+(?=\S)/gu;
  for (let m = boundary.exec(sentence); m !== null; m = boundary.exec(sentence)) {
    if (m[0].startsWith(';')) return m.index + m[0].length;
    if (!ABBREVIATION.test(sentence.slice(0, m.index))) return m.index + m[0].length;
  }
  return undefined;
}

function parseNames(sentence: string): { names: string[]; organization?: string } | undefined {
  const forAt = sentence.search(/(?:^|\s+)for(?:\s+|$)/i);
  const namesPart = forAt === -1 ? sentence : sentence.slice(0, forAt);
  const organization = forAt === -1 ? undefined : sentence.slice(forAt).replace(/^\s*for\s*/i, '').trim();
  if (organization === '') return undefined;
  const names = namesPart
    .split(/\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s+&\s+/i)
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) return undefined;
  // A "name" with no letter or digit ("Reported by -") is not a name: refuse rather than credit it.
  if (names.some((n) => !/[\p{L}\p{N}]/u.test(n))) return undefined;
  return organization === undefined ? { names } : { names, organization };
}
