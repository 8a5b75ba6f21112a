/**
 * An article's record changed on disk after the snapshot holding the
 * article was loaded, and a part read lazily (the body) can no longer be
 * read in the version the rest of the article came from. Serving the new
 * body under the old headline, dates and credits would mix two versions of
 * the article in one feed, so the request fails instead (HTTP 503 with
 * Retry-After): the reload that the change triggers brings a new snapshot.
 */
export class StaleArticleError extends Error {
  constructor(
    /** How the record file is named in messages, e.g. `data/articles/x.json`. */
    readonly file: string,
  ) {
    super(`${file} changed on disk since it was loaded; a reload is pending`);
    this.name = 'StaleArticleError';
  }
}
