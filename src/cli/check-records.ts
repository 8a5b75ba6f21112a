import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Site } from '../model/types.js';
import { buildSnapshot, type FileRecord } from '../store/snapshot.js';
import { parseArticleWithoutBody } from '../load/article.js';
import { SiteError, type ArticleError } from '../load/errors.js';
import { readJsonFile } from '../load/files.js';
import { createLoadMemo } from '../load/load-memo.js';
import { locateFields, positionOf, syntaxPosition, type TextPosition } from '../load/json-locate.js';
import { parseSite } from '../load/site.js';

/** One problem found in one file, where an editor can jump to it. */
export interface Finding extends TextPosition {
  /** The file as the user named it (relative to where the command ran). */
  readonly file: string;
  /** The field in the loader's notation (`images[0].url`), absent for a problem with the whole file. */
  readonly field?: string;
  readonly problem: string;
  /** `error`: the loader rejects the record (or refuses site.json); `warning`: it is served, the field ignored. */
  readonly severity: 'error' | 'warning';
}

/** Files checked together: a data folder (site.json and its records) or loose record files. */
export interface CheckGroup {
  /** Links leading outside this folder are refused, as the server refuses links out of DATA_DIR. */
  readonly root: string;
  /** site.json to check, as a path and as shown. */
  readonly site?: { readonly path: string; readonly shownAs: string };
  /** Record files in the order the loader takes them (by file name); a loose file has its own folder as root. */
  readonly records: readonly { readonly path: string; readonly shownAs: string; readonly root?: string }[];
}

/**
 * The site records are checked against when there is no usable site.json:
 * only its language matters to a record (the default for one without), and
 * no rule depends on it.
 */
const PLACEHOLDER_SITE: Site = { title: 'lint', description: '', link: 'http://localhost/', baseUrl: 'http://localhost', language: 'en', feedSize: 50, idAuthority: 'localhost,2000' };

export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly filesChecked: number;
  /** Records the loader would reject (site.json counts as one when it is refused). */
  readonly rejected: number;
}

/**
 * Checks a group of files with exactly the loader's code: the same file
 * reading (size, UTF-8, links), the same record and site validation and the
 * same snapshot rules (a second file with an id already taken is rejected),
 * then places every problem at the line and column of its field.
 */
export function checkGroup(group: CheckGroup): CheckResult {
  const findings: Finding[] = [];
  let rejected = 0;
  let site: Site = PLACEHOLDER_SITE;
  if (group.site !== undefined) {
    const checked = checkSite(group.root, group.site.path, group.site.shownAs);
    findings.push(...checked.findings);
    if (checked.findings.length > 0) rejected += 1;
    site = checked.site ?? site;
  }
  const { language } = site;
  // One for the files of this check: folders, read buffer, slugs and zone names reused across them.
  const memo = createLoadMemo();
  const files: FileRecord[] = group.records.map(({ path, shownAs, root }) => {
    const read = readJsonFile(root ?? group.root, path, shownAs, undefined, undefined, memo.files);
    if (!read.ok) return { name: basename(path), shownAs, errors: [read.error], warnings: [] };
    const parsed = parseArticleWithoutBody(read.value, shownAs, { language, memo });
    return { name: basename(path), shownAs, ...(parsed.article === undefined ? {} : { article: parsed.article }), errors: parsed.errors, warnings: parsed.warnings };
  });
  const snapshot = buildSnapshot(site, files, 1);
  const pathOf = new Map(group.records.map((r) => [r.shownAs, r.path]));
  const locate = positionsReader();
  const place = (error: ArticleError, severity: Finding['severity']): Finding => {
    const position = error.field === undefined ? syntaxPosition(error.problem) : positionOf(locate(pathOf.get(error.file)), error.field);
    return { file: error.file, ...position, ...(error.field === undefined ? {} : { field: error.field }), problem: error.problem, severity };
  };
  const rejectedFiles = new Set(snapshot.rejected.map((e) => e.file));
  rejected += rejectedFiles.size;
  findings.push(...snapshot.rejected.map((e) => place(e, 'error')), ...snapshot.warnings.map((e) => place(e, 'warning')));
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  return { findings, filesChecked: group.records.length + (group.site === undefined ? 0 : 1), rejected };
}

/** site.json through the loader's parseSite; its problems come as `field "x" …` strings. */
function checkSite(root: string, path: string, shownAs: string): { findings: Finding[]; site?: Site } {
  // The loader's own words: the server does not start without it.
  if (!existsSync(path)) return { findings: [{ file: shownAs, line: 1, column: 1, problem: 'does not exist; DATA_DIR must be the folder holding site.json and articles/', severity: 'error' }] };
  const read = readJsonFile(root, path, shownAs, 1024 * 1024);
  if (!read.ok) return { findings: [{ file: shownAs, ...syntaxPosition(read.error.problem), problem: read.error.problem, severity: 'error' }] };
  try {
    return { findings: [], site: parseSite(read.value, shownAs, { fallbackBaseUrl: 'http://localhost' }) };
  } catch (error) {
    if (!(error instanceof SiteError)) throw error;
    const positions = positionsReader()(path);
    return {
      findings: error.problems.map((text) => {
        const match = /^field "([^"]+)" (.*)$/s.exec(text);
        const field = match?.[1];
        const problem = match?.[2] ?? text;
        return { file: shownAs, ...positionOf(positions, field ?? ''), ...(field === undefined ? {} : { field }), problem, severity: 'error' as const };
      }),
    };
  }
}

/** Field positions of a file, read again only for files that have findings (most have none). */
function positionsReader(): (path: string | undefined) => ReadonlyMap<string, TextPosition> {
  return (path) => {
    if (path === undefined) return new Map();
    try {
      return locateFields(readFileSync(path, 'utf8'));
    } catch {
      return new Map();
    }
  };
}
