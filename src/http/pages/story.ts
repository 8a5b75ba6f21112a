import { formatCreditLine } from '../../map/to-feed-model.js';
import { feedPath } from '../../model/feed-filter.js';
import { slugify } from '../../model/slug.js';
import type { TranslationLink } from '../../model/translations.js';
import type { Article, Site } from '../../model/types.js';
import { mountPath } from './feed-links.js';
import { html, safeUrl, type SafeHtml } from './html.js';
import { formatReaderDate, languageName, textDirection } from './locale.js';

export interface StoryOptions {
  /** Heading level of the headline: 2 on a feed's page, 3 under "Latest stories". */
  readonly headingLevel: 2 | 3;
  /** Link section and tags to their feed pages (not in the embed frame). */
  readonly linkFilters: boolean;
  /** The article's translations a reader may see (model/translations.ts visibleSiblings). */
  readonly translations?: readonly TranslationLink[];
}

/**
 * "Also in 한국어 · English": each translation named in its own language
 * and marked with its own lang and dir, so a screen reader switches voice
 * and a right-to-left name reads right; hreflang tells the browser too.
 */
function renderTranslations(links: readonly TranslationLink[], site: Site): SafeHtml | '' {
  if (links.length === 0) return '';
  return html`<p class="translations" lang="${site.language}" dir="${textDirection(site.language)}">Also in ${links.map(
    (link, i) => html`${i > 0 ? ' · ' : ''}<a href="${safeUrl(link.url) ?? ''}" hreflang="${link.language}" lang="${link.language}" dir="${textDirection(link.language)}" title="${link.headline}">${languageName(link.language)}</a>`,
  )}</p>\n`;
}

/** A stable, valid id for an article's headline (aria-labelledby). */
function headlineId(article: Article): string {
  return `story-${article.id}`;
}

/**
 * One article as people read it in a feed preview: headline linked to the
 * article, date in the article's language and zone, credit line, lead image
 * with caption and photo credit, summary. Everything from the record goes
 * through the escaping template; `lang` and `dir` are set per article so a
 * Uyghur story reads right to left inside an English page.
 */
export function renderStory(article: Article, site: Site, options: StoryOptions): SafeHtml {
  const url = safeUrl(article.url);
  const date = formatReaderDate(article.published, article.language, article.timezone);
  const updated = article.updated.getTime() > article.published.getTime() ? formatReaderDate(article.updated, article.language, article.timezone) : undefined;
  const credit = formatCreditLine(article.credits, article.language);
  const lead = article.images[0];
  const leadSrc = safeUrl(lead?.url);
  const heading = html`<a href="${url}">${article.headline}</a>`;
  const hl = options.headingLevel === 2 ? html`<h2 id="${headlineId(article)}">${heading}</h2>` : html`<h3 id="${headlineId(article)}">${heading}</h3>`;
  const root = mountPath(site);
  const filedUnder = [
    article.section === undefined ? undefined : { label: article.section, path: `${root}${feedPath({ kind: 'section', slug: slugify(article.section) })}/` },
    ...article.tags.map((tag) => ({ label: tag, path: `${root}${feedPath({ kind: 'tag', slug: slugify(tag) })}/` })),
  ].filter((x) => x !== undefined);
  return html`<article class="story" lang="${article.language}" dir="${textDirection(article.language)}" aria-labelledby="${headlineId(article)}">
${hl}
<p class="story-meta"><time datetime="${date.iso}">${date.text}</time>${updated ? html` <span class="updated">(<time datetime="${updated.iso}">${updated.text}</time>)</span>` : ''}</p>
${credit ? html`<p class="credit-line" lang="en" dir="ltr">${credit}</p>\n` : ''}${
    lead && leadSrc
      ? html`<figure class="lead-image">
<img src="${leadSrc}" alt="${lead.alt ?? ''}"${lead.width && lead.height ? html` width="${lead.width}" height="${lead.height}"` : ''} loading="lazy" decoding="async">
${lead.caption || lead.credit ? html`<figcaption>${lead.caption ? html`<span class="caption">${lead.caption}</span>` : ''}${lead.credit ? html` <span class="photo-credit">Photo: ${lead.credit}</span>` : ''}</figcaption>\n` : ''}</figure>\n`
      : ''
  }${article.summary ? html`<p class="summary">${article.summary}</p>\n` : ''}${
    filedUnder.length > 0
      ? html`<p class="filed" lang="${site.language}" dir="${textDirection(site.language)}">Filed under ${filedUnder.map((f, i) =>
          options.linkFilters ? html`${i > 0 ? ', ' : ''}<a href="${f.path}"><bdi>${f.label}</bdi></a>` : html`${i > 0 ? ', ' : ''}<bdi>${f.label}</bdi>`,
        )}</p>\n`
      : ''
  }${renderTranslations(options.translations ?? [], site)}${url ? html`<p class="more" lang="${site.language}" dir="${textDirection(site.language)}"><a href="${url}">Read the full story<span class="visually-hidden">: <bdi lang="${article.language}">${article.headline}</bdi></span></a></p>\n` : ''}</article>`;
}
