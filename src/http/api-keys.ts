import { readFileSync } from 'node:fs';
import { findBySecret, hashSecret, parseSecretEntries, SECRET_HASH } from '../model/secret.js';
import type { Article } from '../model/types.js';
import { HttpError } from './errors.js';

/**
 * One API key as KEYS_FILE lists it. Only the SHA-256 of the secret is
 * kept: secrets are 32 random bytes (`wirefeed keys add`), far beyond
 * guessing, so a slow hash (scrypt) would only add its cost to every request.
 */
export interface ApiKey {
  readonly id: string;
  /** `sha256:` and 64 hex digits. */
  readonly hash: string;
  /** Services whose stories it may write; undefined: any. */
  readonly services?: readonly string[];
  /** Sections whose stories it may write; undefined: any. */
  readonly sections?: readonly string[];
  /** May DELETE (and so retract a story). */
  readonly delete: boolean;
  /** May read GET /api/audit. */
  readonly audit: boolean;
  /** May read GET /api/stats (readership); false when the file leaves it out. */
  readonly stats?: boolean;
}

/** KEYS_FILE cannot be used; the message names the file, the entry and the problem. main.ts stops with it. */
export class KeysFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysFileError';
  }
}

const FIELDS = ['id', 'hash', 'services', 'sections', 'delete', 'audit', 'stats'] as const;
const HASH = SECRET_HASH;
const KEY_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The id INGEST_TOKEN's key appears as in the audit trail and versions. */
export const INGEST_TOKEN_KEY_ID = 'ingest-token';

export { hashSecret };

/** Parses a keys file's text: `{"keys": [...]}`; every problem is an error naming the entry (an unknown field too). */
export function parseKeys(text: string, shownAs: string): ApiKey[] {
  return parseSecretEntries(text, shownAs, { list: 'keys', noun: 'key' }, parseKey, (message) => new KeysFileError(message));
}

function parseKey(entry: unknown, where: string): ApiKey {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new KeysFileError(`${where}: must be an object`);
  const raw = entry as Record<string, unknown>;
  const named = typeof raw.id === 'string' ? `${where} ("${raw.id}")` : where;
  const unknown = Object.keys(raw).find((field) => !(FIELDS as readonly string[]).includes(field));
  // A misspelt scope ("service", "sectons") would otherwise widen the key silently.
  if (unknown !== undefined) throw new KeysFileError(`${named}: unknown field "${unknown}" (fields: ${FIELDS.join(', ')})`);
  if (typeof raw.id !== 'string' || !KEY_ID.test(raw.id)) throw new KeysFileError(`${named}: id must be lowercase letters, digits, '.', '_' or '-' (1–64)`);
  // The audit trail and versions name INGEST_TOKEN's writes "ingest-token": a key of that name could pose as the master token.
  if (raw.id.toLowerCase() === INGEST_TOKEN_KEY_ID) throw new KeysFileError(`${named}: the id "${INGEST_TOKEN_KEY_ID}" is reserved for INGEST_TOKEN's writes; choose another`);
  if (typeof raw.hash !== 'string' || !HASH.test(raw.hash)) throw new KeysFileError(`${named}: hash must be "sha256:" and 64 hex digits (wirefeed keys add writes it)`);
  const list = (field: 'services' | 'sections'): readonly string[] | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.trim() !== '')) {
      throw new KeysFileError(`${named}: ${field} must be a non-empty list of names (leave it out for any)`);
    }
    return v as string[];
  };
  const flag = (field: 'delete' | 'audit' | 'stats'): boolean => {
    const v = raw[field];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new KeysFileError(`${named}: ${field} must be true or false`);
    return v;
  };
  const services = list('services');
  const sections = list('sections');
  return { id: raw.id, hash: raw.hash, ...(services ? { services } : {}), ...(sections ? { sections } : {}), delete: flag('delete'), audit: flag('audit'), ...(flag('stats') ? { stats: true } : {}) };
}

/** Reads KEYS_FILE at start; a missing or malformed file is a KeysFileError. */
export function loadKeysFile(path: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeysFileError(`KEYS_FILE ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseKeys(text, `KEYS_FILE ${path}`);
}

/**
 * The keys the API accepts: KEYS_FILE's and INGEST_TOKEN's. A KEYS_FILE key
 * with INGEST_TOKEN's secret is refused: it would be matched first, and the
 * master token's writes would be audited as that key.
 */
export function acceptedKeys(keys: readonly ApiKey[], token: string | undefined): ApiKey[] {
  if (token === undefined) return [...keys];
  const master = ingestTokenKey(token);
  const clash = keys.find((key) => key.hash === master.hash);
  if (clash) throw new KeysFileError(`KEYS_FILE key "${clash.id}" has INGEST_TOKEN's secret; give the key its own secret (wirefeed keys add), or unset INGEST_TOKEN`);
  return [...keys, master];
}

/** INGEST_TOKEN as a key: unscoped, may delete and read the audit trail (the single-token setup of small newsrooms). */
export function ingestTokenKey(token: string): ApiKey {
  return { id: INGEST_TOKEN_KEY_ID, hash: hashSecret(token), delete: true, audit: true, stats: true };
}

/**
 * The key a bearer secret belongs to. Every key's digest is compared, each
 * with timingSafeEqual and without stopping at a match, so the time taken
 * says nothing about which key (or how much of one) matched.
 */
export function findKey(keys: readonly ApiKey[], secret: string): ApiKey | undefined {
  return findBySecret(keys, secret);
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The scope `key` lacks to write `article`, as words for a 403; undefined when it has it. */
function missingScope(key: ApiKey, article: Article): string | undefined {
  if (key.services && !key.services.some((s) => article.service !== undefined && same(s, article.service))) {
    return `service ${JSON.stringify(article.service ?? '(none)')} (key "${key.id}" may write services ${key.services.join(', ')})`;
  }
  if (key.sections && !key.sections.some((s) => article.section !== undefined && same(s, article.section))) {
    return `section ${JSON.stringify(article.section ?? '(none)')} (key "${key.id}" may write sections ${key.sections.join(', ')})`;
  }
  return undefined;
}

/**
 * The store's authorize hook for one key: both the story as stored and the
 * story as it would be must be in scope, so a desk can neither overwrite
 * another desk's story nor move its own out of its scope.
 */
export function scopeCheck(key: ApiKey): (next: Article | undefined, current: Article | undefined) => void {
  return (next, current) => {
    if (next === undefined && !key.delete) throw new HttpError(403, `Key "${key.id}" lacks the scope delete: it may not delete stories.`);
    const stored = current ? missingScope(key, current) : undefined;
    if (stored) throw new HttpError(403, `Key "${key.id}" lacks the scope ${stored}: the stored story is outside it.`);
    const written = next ? missingScope(key, next) : undefined;
    if (written) throw new HttpError(403, `Key "${key.id}" lacks the scope ${written}: the record would put the story outside it.`);
  };
}
