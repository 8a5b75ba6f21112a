import { readFileSync } from 'node:fs';
import { parseSecretEntries, SECRET_HASH } from '../model/secret.js';

/** How much of each story a partner gets. */
export const CONTENT_LEVELS = ['full', 'summary', 'headline'] as const;
export type ContentLevel = (typeof CONTENT_LEVELS)[number];

/** Which pictures a partner gets: those it may have (model/image-rights.ts), none, or every one. */
export const IMAGE_POLICIES = ['licensed', 'none', 'all'] as const;
export type ImagePolicy = (typeof IMAGE_POLICIES)[number];

/** One partner as PARTNERS_FILE lists it (see docs/partners.md). */
export interface Partner {
  readonly id: string;
  /** `sha256:` and 64 hex digits of the partner's secret (model/secret.ts), as KEYS_FILE keeps keys. */
  readonly hash: string;
  /** Services, sections and languages its contract covers; undefined: any. A story must match every list given. */
  readonly services?: readonly string[];
  readonly sections?: readonly string[];
  readonly languages?: readonly string[];
  readonly content: ContentLevel;
  readonly images: ImagePolicy;
  /** The delay as written ("30m"), when there is one. */
  readonly delay?: string;
  /** The delay in milliseconds; 0 for none. */
  readonly delayMs: number;
}

/** PARTNERS_FILE cannot be used; the message names the file, the entry and the problem. main.ts stops with it. */
export class PartnersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartnersFileError';
  }
}

const FIELDS = ['id', 'hash', 'services', 'sections', 'languages', 'content', 'images', 'delay'] as const;
const PARTNER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
/** At most a year: a longer delay is a typo ("30d" meant as minutes), and it keeps the sum of instants exact. */
const MAX_DELAY_MS = 366 * UNIT_MS.d;

/** A duration such as "30m", "2h", "1d12h" or "45s" in milliseconds; undefined when it is not one. */
export function parseDelay(text: string): number | undefined {
  if (!/^(?:\d{1,6}[dhms])+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([dhms])/g)) ms += Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms <= MAX_DELAY_MS ? ms : undefined;
}

/** Parses a partners file's text: `{"partners": [...]}`; every problem is an error naming the entry. */
export function parsePartners(text: string, shownAs: string): Partner[] {
  return parseSecretEntries(text, shownAs, { list: 'partners', noun: 'partner' }, parsePartner, (message) => new PartnersFileError(message));
}

function parsePartner(entry: unknown, where: string): Partner {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new PartnersFileError(`${where}: must be an object`);
  const raw = entry as Record<string, unknown>;
  const named = typeof raw.id === 'string' ? `${where} ("${raw.id}")` : where;
  const unknown = Object.keys(raw).find((field) => !(FIELDS as readonly string[]).includes(field));
  // A misspelt scope ("service", "langauges") would otherwise widen the partner's feed silently.
  if (unknown !== undefined) throw new PartnersFileError(`${named}: unknown field "${unknown}" (fields: ${FIELDS.join(', ')})`);
  if (typeof raw.id !== 'string' || !PARTNER_ID.test(raw.id)) throw new PartnersFileError(`${named}: id must be lowercase letters, digits, '.', '_' or '-' (1–64)`);
  if (typeof raw.hash !== 'string' || !SECRET_HASH.test(raw.hash)) throw new PartnersFileError(`${named}: hash must be "sha256:" and 64 hex digits (wirefeed partners add writes it)`);
  const list = (field: 'services' | 'sections' | 'languages'): readonly string[] | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.trim() !== '')) {
      throw new PartnersFileError(`${named}: ${field} must be a non-empty list of names (leave it out for any)`);
    }
    return v.map((s: string) => s.trim());
  };
  const oneOf = <T extends string>(field: 'content' | 'images', allowed: readonly T[], fallback: T): T => {
    const v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new PartnersFileError(`${named}: ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  let delayMs = 0;
  if (raw.delay !== undefined) {
    const parsed = typeof raw.delay === 'string' ? parseDelay(raw.delay) : undefined;
    if (parsed === undefined) throw new PartnersFileError(`${named}: delay must be a duration such as "30m", "2h" or "1d" (at most a year), got ${JSON.stringify(raw.delay)}`);
    delayMs = parsed;
  }
  const services = list('services');
  const sections = list('sections');
  const languages = list('languages');
  return {
    id: raw.id,
    hash: raw.hash,
    ...(services ? { services } : {}),
    ...(sections ? { sections } : {}),
    ...(languages ? { languages } : {}),
    content: oneOf('content', CONTENT_LEVELS, 'full'),
    images: oneOf('images', IMAGE_POLICIES, 'licensed'),
    ...(delayMs === 0 ? {} : { delay: raw.delay as string }),
    delayMs,
  };
}

/** A partner as PARTNERS_FILE holds it (delayMs is derived, not stored). */
export function partnerEntry(partner: Partner): Record<string, unknown> {
  const { delayMs: _derived, ...stored } = partner;
  return stored;
}

/** Reads PARTNERS_FILE at start; a missing or malformed file is a PartnersFileError. */
export function loadPartnersFile(path: string): Partner[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PartnersFileError(`PARTNERS_FILE ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parsePartners(text, `PARTNERS_FILE ${path}`);
}
