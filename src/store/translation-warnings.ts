import { ArticleError } from '../load/errors.js';
import { resolveTranslationGroups, type TranslationProblem } from '../model/translations.js';
import type { Article } from '../model/types.js';

/**
 * The warnings a broken `translationOf` draws (it names no article, itself,
 * a translation: a chain or a cycle, or a group already holding its
 * language), one per article, named by its file and the other article's:
 * the one wording both backends report, at load and after `sync`, in the
 * log and /healthz. Before, PostgreSQL never reported them.
 */
export function translationWarningsOf(problems: readonly TranslationProblem[]): ArticleError[] {
  return problems.map((problem) => {
    const where = problem.other === undefined ? '' : ` (${problem.other.source})`;
    return new ArticleError(problem.article.source, 'translationOf', `${problem.message}${where}`);
  });
}

/**
 * translationWarningsOf for a set of articles holding every one that names
 * an original and every original named (all a group's rules look at).
 */
export function translationWarnings(articles: readonly Article[]): ArticleError[] {
  return translationWarningsOf(resolveTranslationGroups(articles).problems);
}
