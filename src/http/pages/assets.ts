import { createHash } from 'node:crypto';
import { strongEtag } from '../reply.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A static file served from memory. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** Strong ETag: a hash of the bytes. */
  readonly etag: string;
  /** Short content hash, for cache-busting query strings (?v=…). */
  readonly version: string;
}

/** The hand-written static files in public/: name → media type. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'site.css': 'text/css; charset=utf-8',
  'copy.js': 'text/javascript; charset=utf-8',
  'embed.js': 'text/javascript; charset=utf-8',
  'embed.css': 'text/css; charset=utf-8',
};

/**
 * Finds public/ by walking up from this module: it is two folders up from
 * src/http/pages when tests run the TypeScript, and four from
 * dist/src/http/pages after `npm run build`, so no copy step is needed.
 */
export function findPublicDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'public', 'embed.js'))) return join(dir, 'public');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`wirefeed: cannot find the public/ folder (site.css, copy.js, embed.js) above ${from}`);
}

/** Reads every static file once, at start: they are small and never change while the server runs. */
export function loadAssets(dir: string = findPublicDir()): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    const body = readFileSync(join(dir, name));
    const hash = createHash('sha256').update(body).digest('base64url');
    // The version in ?v= URLs is a short hash of the bytes; the ETag is the one recipe every response uses.
    assets.set(name, { body, type, etag: strongEtag(body), version: hash.slice(0, 10) });
  }
  return assets;
}
