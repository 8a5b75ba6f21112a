import { ArticleError } from './errors.js';

/**
 * Problems listed per file and kind (errors, warnings). A record with 60,000
 * unknown keys made 60,000 warnings and a 12 MB /healthz; the first 20 say
 * what is wrong, and one more line counts the rest.
 */
export const MAX_REPORTS_PER_FILE = 20;

/** The first `max` reports, then one that counts the ones left out. */
export function capReports(reports: readonly ArticleError[], file: string, kind: 'errors' | 'warnings', max = MAX_REPORTS_PER_FILE, alsoLeftOut = 0): readonly ArticleError[] {
  const leftOut = Math.max(0, reports.length - max) + alsoLeftOut;
  if (leftOut === 0) return reports;
  return [...reports.slice(0, max), new ArticleError(file, undefined, `has ${leftOut} more ${kind} not listed (only the first ${max} are)`)];
}
