import type { Article, Site } from '../model/types.js';
import { ArticleTransform } from './syndicated-article.js';

/**
 * The public feeds' pictures: every one, unless site.json sets
 * `"publicImages": "licensed"`, which leaves out those that may not be
 * syndicated, by the partners' rule. One per app (its transform keeps
 * results by article identity), made again when the site's agencies change.
 */
export class PublicImages {
  private held?: { agencies: readonly string[] | undefined; transform: ArticleTransform };

  apply(site: Site, articles: readonly Article[]): readonly Article[] {
    if (site.publicImages !== 'licensed') return articles;
    if (this.held === undefined || this.held.agencies !== site.agencies) {
      this.held = { agencies: site.agencies, transform: new ArticleTransform({ content: 'full', images: 'licensed', agencies: site.agencies ?? [] }) };
    }
    const { transform } = this.held;
    return articles.map((article) => transform.apply(article));
  }
}
