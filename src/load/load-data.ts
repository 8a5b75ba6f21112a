import { join } from 'node:path';
import type { Site } from '../model/types.js';
import { parseArticle } from './article.js';
import { SiteError } from './errors.js';
import { displayName, listJsonFiles, MAX_RECORD_BYTES, readJsonFile, readJsonFileVersion } from './files.js';
import { parseSite, type SiteOverrides } from './site.js';
import type { FileRecord } from '../store/snapshot.js';

/** Where article records live inside the data directory. */
export const ARTICLES_DIR = 'articles';

/** Reads and validates `site.json`; throws SiteError (fail fast: nothing can be served without it). */
export function loadSite(dataDir: string, overrides: SiteOverrides): Site {
  const shownAs = displayName(dataDir, 'site.json');
  const read = readJsonFile(dataDir, join(dataDir, 'site.json'), shownAs, 1024 * 1024);
  if (!read.ok) throw new SiteError(shownAs, [read.error.problem]);
  return parseSite(read.value, shownAs, overrides);
}

/**
 * Reads one article file into a FileRecord; never throws. The article's
 * body is read again from the file when first used (see lazy-body.ts), and
 * only from the same version of the file.
 */
export function loadArticleFile(dataDir: string, name: string, site: Site, maxBytes = MAX_RECORD_BYTES): FileRecord {
  const shownAs = displayName(dataDir, ARTICLES_DIR, name);
  const path = join(dataDir, ARTICLES_DIR, name);
  // The body is checked now but decoded only when the article is shown.
  const read = readJsonFile(dataDir, path, shownAs, maxBytes, 'body');
  if (!read.ok) return { name, shownAs, errors: [read.error], warnings: [] };
  const { version } = read;
  const reread = (): unknown => {
    const again = readJsonFileVersion(path, shownAs, version);
    return again?.ok ? again.value : undefined;
  };
  const result = parseArticle(read.value, shownAs, { language: site.language }, reread);
  return { name, shownAs, ...(result.article ? { article: result.article } : {}), errors: result.errors, warnings: result.warnings };
}

/** Reads every `articles/*.json` file, in name order. */
export function loadArticleFiles(dataDir: string, site: Site, maxBytes = MAX_RECORD_BYTES): FileRecord[] {
  return listJsonFiles(join(dataDir, ARTICLES_DIR)).map((name) => loadArticleFile(dataDir, name, site, maxBytes));
}

