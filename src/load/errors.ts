/**
 * A problem with one article record: which file, which field, what is wrong.
 * The message reads `data/articles/x.json: field "published" must be …`.
 */
export class ArticleError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(field === undefined ? `${file}: ${problem}` : `${file}: field "${field}" ${problem}`);
    this.name = 'ArticleError';
  }

  /** The shape /healthz and the ingest API report. */
  toJSON(): { file: string; field?: string; problem: string; message: string } {
    return { file: this.file, ...(this.field === undefined ? {} : { field: this.field }), problem: this.problem, message: this.message };
  }
}

/**
 * A valid record refused because an earlier file (by name) already carries
 * its id. It says which file and id, so a retraction can remove the twin too
 * instead of letting it become the live version.
 */
export class DuplicateIdError extends ArticleError {
  constructor(
    file: string,
    /** The file name inside `articles/`. */
    readonly fileName: string,
    readonly id: string,
    firstSource: string,
  ) {
    super(file, 'id', `${JSON.stringify(id)} is already used by ${firstSource}; ids must be unique`);
  }
}

/** `data/site.json` cannot be used; the server does not start. Lists every problem. */
export class SiteError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'SiteError';
  }
}

/** Added to the rejection of a file whose last good version is still served (files reloader, PostgreSQL sync: one wording). */
export const LAST_GOOD_NOTE = 'the last good version of this file stays in the feeds until it is fixed or deleted';
