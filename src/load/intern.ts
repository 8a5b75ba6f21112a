import { ARTICLE_FIELDS } from '../model/article-fields.js';
import type { Article, Credit, Image } from '../model/types.js';

/** Article fields whose values repeat across a corpus (shape 'shared'): one string per distinct value is kept. */
const REPEATED: ReadonlySet<string> = new Set(ARTICLE_FIELDS.filter((field) => field.shape === 'shared').map((field) => field.key));

/**
 * One copy of each repeated value across the articles of one load: tags,
 * languages, sections, services, credited people, photo credits, image
 * types. Records decoded separately (and posted from loader threads, which
 * copies every string) each carried their own copies: at 100,000 articles
 * about 100 MB of heap more than a restart from the article index, whose
 * string table shares them. Articles are never mutated, so sharing a
 * string or a Credit object between them is safe.
 */
export class ArticleInterner {
  private readonly strings = new Map<string, string>();
  private readonly credits = new Map<string, Credit>();

  str(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  private credit(credit: Credit): Credit {
    const key = `${credit.name}\u0000${credit.role}\u0000${credit.organization ?? '\u0001'}\u0000${credit.slug}`;
    const known = this.credits.get(key);
    if (known !== undefined) return known;
    const shared: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(credit)) shared[k] = typeof v === 'string' ? this.str(v) : v;
    this.credits.set(key, shared as unknown as Credit);
    return shared as unknown as Credit;
  }

  private image(image: Image): Image {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(image)) copy[k] = (k === 'type' || k === 'credit') && typeof v === 'string' ? this.str(v) : v;
    return copy as unknown as Image;
  }

  /**
   * The same article (same properties in the same order) with its repeated
   * values shared. Only for plain articles (a body not yet made lazy):
   * reading a lazy body here would read and sanitise it.
   */
  article(article: Article): Article {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(article)) {
      if (key === 'tags') copy.tags = article.tags.map((t) => this.str(t));
      else if (key === 'credits') copy.credits = article.credits.map((c) => this.credit(c));
      else if (key === 'images') copy.images = article.images.map((i) => this.image(i));
      else copy[key] = REPEATED.has(key) && typeof value === 'string' ? this.str(value) : value;
    }
    return copy as unknown as Article;
  }
}
