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
