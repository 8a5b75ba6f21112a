import type { Article } from '../model/types.js';
import type { ArticleError } from './errors.js';
import type { FileVersion } from './files.js';

/** What one article file yielded: an article, or the reasons it has none. */
export interface FileRecord {
  /** File name inside `articles/`. */
  readonly name: string;
  /** How the file is named in messages, e.g. `data/articles/x.json`. */
  readonly shownAs: string;
  readonly article?: Article;
  /** The version of the file the article was read from (inode, size, mtime, ctime). */
  readonly version?: FileVersion;
  readonly errors: readonly ArticleError[];
  readonly warnings: readonly ArticleError[];
}
