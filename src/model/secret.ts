import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * How wirefeed keeps a secret it hands out (API keys, partner keys): only
 * `sha256:` and the hex SHA-256 of it. Secrets are 32 random bytes, far
 * beyond guessing, so a slow hash (scrypt) would only add its cost to every
 * request.
 */
export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

/** The shape of a stored secret's hash: what a keys or partners file must hold. */
export const SECRET_HASH = /^sha256:[0-9a-f]{64}$/;

/**
 * The entry a presented secret belongs to. Every entry's digest is
 * compared, each with timingSafeEqual and without stopping at a match, so
 * the time taken says nothing about which entry (or how much of one) matched.
 */
export function findBySecret<T extends { readonly hash: string }>(entries: readonly T[], secret: string): T | undefined {
  const given = createHash('sha256').update(secret, 'utf8').digest();
  let found: T | undefined;
  for (const entry of entries) {
    const expected = Buffer.from(entry.hash.slice('sha256:'.length), 'hex');
    if (timingSafeEqual(given, expected) && found === undefined) found = entry;
  }
  return found;
}

/**
 * Reads a file of entries that each hold a secret's hash (KEYS_FILE's
 * `{"keys": [...]}`, PARTNERS_FILE's `{"partners": [...]}`): the JSON, the
 * list, each entry by `parseEntry`, then no id and no hash twice (the first
 * entry whose hash matches would always win, so a second would never be
 * used). Every problem is `fail(message)` naming the file and the entry.
 */
export function parseSecretEntries<T extends { readonly id: string; readonly hash: string }>(
  text: string,
  shownAs: string,
  kind: { readonly list: string; readonly noun: string },
  parseEntry: (entry: unknown, where: string) => T,
  fail: (message: string) => Error,
): T[] {
  let value: unknown;
  try {
    // A byte order mark is allowed, as in article files: editors on Windows write one.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw fail(`${shownAs}: not JSON (${(error as Error).message})`);
  }
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[kind.list] : undefined;
  if (!Array.isArray(list)) throw fail(`${shownAs}: must be an object {"${kind.list}": [...]}`);
  const entries = list.map((entry, index) => parseEntry(entry, `${shownAs}: entry ${index + 1}`));
  const ids = new Set<string>();
  const hashes = new Map<string, string>();
  entries.forEach((entry, index) => {
    const where = `${shownAs}: entry ${index + 1} ("${entry.id}")`;
    if (ids.has(entry.id)) throw fail(`${where}: the id is used by an earlier entry`);
    const earlier = hashes.get(entry.hash);
    if (earlier !== undefined) throw fail(`${where}: the hash is the same as ${kind.noun} "${earlier}"'s, so one secret would be two ${kind.noun}s; give each ${kind.noun} its own secret (wirefeed ${kind.list} add)`);
    ids.add(entry.id);
    hashes.set(entry.hash, entry.id);
  });
  return entries;
}
