import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../model/types.js';
import { parseArticle } from './article.js';
import { SiteError } from './errors.js';
import { displayName, listJsonFiles, MAX_RECORD_BYTES, readJsonFile } from './files.js';
import { parseSite, type SiteOverrides } from './site.js';
import type { FileRecord } from '../store/snapshot.js';

/** Where article records live inside the data directory. */
export const ARTICLES_DIR = 'articles';

/** Reads and validates `site.json`; throws SiteError (fail fast: nothing can be served without it). */
export function loadSite(dataDir: string, overrides: SiteOverrides): Site {
  const shownAs = displayName(dataDir, 'site.json');
  // Checked apart from a read that fails: "disappeared while it was being read" would mislead at start.
  if (!existsSync(join(dataDir, 'site.json'))) throw new SiteError(shownAs, ['does not exist; DATA_DIR must be the folder holding site.json and articles/']);
  const read = readJsonFile(dataDir, join(dataDir, 'site.json'), shownAs, 1024 * 1024);
  if (!read.ok) throw new SiteError(shownAs, [read.error.problem]);
  return parseSite(read.value, shownAs, overrides);
}

/** Reads one article file into a FileRecord; never throws. */
export function loadArticleFile(dataDir: string, name: string, site: Site, maxBytes = MAX_RECORD_BYTES): FileRecord {
  const shownAs = displayName(dataDir, ARTICLES_DIR, name);
  const read = readJsonFile(dataDir, join(dataDir, ARTICLES_DIR, name), shownAs, maxBytes);
  if (!read.ok) return { name, shownAs, errors: [read.error], warnings: [] };
  const result = parseArticle(read.value, shownAs, { language: site.language });
  return { name, shownAs, ...(result.article ? { article: result.article } : {}), errors: result.errors, warnings: result.warnings };
}

/** Reads every `articles/*.json` file, in name order. */
export function loadArticleFiles(dataDir: string, site: Site, maxBytes = MAX_RECORD_BYTES): FileRecord[] {
  return listJsonFiles(join(dataDir, ARTICLES_DIR)).map((name) => loadArticleFile(dataDir, name, site, maxBytes));
}

