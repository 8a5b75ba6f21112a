import { join } from 'node:path';
import { ArticleError, SiteError } from '../../load/errors.js';
import { displayName } from '../../load/files.js';
import { fileStamp } from '../../load/file-stamp.js';
import { loadSite } from '../../load/load-data.js';
import type { SiteOverrides } from '../../load/site.js';
import type { Site } from '../../model/types.js';

const SITE_NOTE = 'the previous site settings stay in use until it is fixed';

/**
 * site.json as the reloader keeps it: re-read when its file changed; a bad
 * one keeps the previous settings and is reported as a rejected file.
 */
export class SiteSettings {
  private stamp: string | undefined;
  /** What is wrong with site.json now; empty when it is valid. */
  problems: ArticleError[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly overrides: SiteOverrides,
    /** The settings in use. */
    public site: Site,
    private readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void,
  ) {
    this.stamp = fileStamp(join(dataDir, 'site.json'));
  }

  /**
   * Re-reads site.json when it changed. `changed`: the snapshot must be
   * rebuilt; `reparse`: every record must be parsed again (records without
   * a language take the site's).
   */
  refresh(): { changed: boolean; reparse: boolean } {
    const stamp = fileStamp(join(this.dataDir, 'site.json'));
    if (stamp === this.stamp) return { changed: false, reparse: false };
    this.stamp = stamp;
    const shownAs = displayName(this.dataDir, 'site.json');
    try {
      const next = loadSite(this.dataDir, this.overrides);
      const hadProblems = this.problems.length > 0;
      this.problems = [];
      if (hadProblems) this.log(`reload: ${shownAs} is valid again`);
      if (JSON.stringify(next) === JSON.stringify(this.site)) return { changed: hadProblems, reparse: false };
      const reparse = next.language !== this.site.language;
      this.site = next;
      this.log(`reload: ${shownAs} changed`);
      return { changed: true, reparse };
    } catch (error) {
      if (!(error instanceof SiteError)) throw error;
      this.problems = error.problems.map((problem) => new ArticleError(error.file, undefined, `${problem} (${SITE_NOTE})`));
      for (const problem of this.problems) this.log(`rejected: ${problem.message}`, 'warn');
      return { changed: true, reparse: false };
    }
  }
}
